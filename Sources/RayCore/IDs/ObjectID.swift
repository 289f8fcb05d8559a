/// Identifies one immutable object: the task that creates it plus an index. Return values of a
/// task have indices 1...n; objects made by `put` inside a task have the high bit set.
public struct ObjectID: Hashable, Sendable, CustomStringConvertible {
    public var task: TaskID
    public var index: UInt32

    public init(task: TaskID, index: UInt32) {
        self.task = task
        self.index = index
    }

    /// The `position`-th return value (0-based) of `task`.
    public static func returnValue(of task: TaskID, position: Int) -> ObjectID {
        ObjectID(task: task, index: UInt32(position + 1))
    }

    /// The `counter`-th object that `task` stored with `put`.
    public static func put(by task: TaskID, counter: UInt32) -> ObjectID {
        ObjectID(task: task, index: 0x8000_0000 | counter)
    }

    public static let byteCount = 20

    /// One word into the hasher instead of three: the bits are already well mixed (task IDs come
    /// from `IDMixer`), and objects are hashed on every message the raylet handles.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(task.foldedBits ^ (UInt64(index) &* 0xC2B2_AE3D_27D4_EB4F))
    }

    /// The 20 bytes of the ID, big-endian, as they travel on the wire and appear in hex.
    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(Self.byteCount)
        for word in [task.high, task.low] {
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: index >> UInt32(shift))) }
        return out
    }

    /// Rebuilds an ID from exactly 20 bytes; nil for any other length.
    public init?<Bytes: Collection<UInt8>>(bytes: Bytes) {
        guard bytes.count == Self.byteCount else { return nil }
        var iterator = bytes.makeIterator()
        func next(_ count: Int) -> UInt64 {
            var value: UInt64 = 0
            for _ in 0..<count { value = value << 8 | UInt64(iterator.next()!) }
            return value
        }
        let high = next(8), low = next(8)
        self.init(task: TaskID(high: high, low: low), index: UInt32(next(4)))
    }

    /// Parses the 40-character hex form that `description` prints.
    public init?(hex: String) {
        let scalars = Array(hex.utf8)
        guard scalars.count == Self.byteCount * 2 else { return nil }
        var bytes = [UInt8]()
        for i in stride(from: 0, to: scalars.count, by: 2) {
            guard let byte = UInt8(String(decoding: scalars[i..<i + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        self.init(bytes: bytes)
    }

    public var hex: String { task.hex + HexFormat.hex(index) }
    public var description: String { hex }
}
