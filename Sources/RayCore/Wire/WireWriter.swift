/// Appends the primitive fields of a wire message, little-endian, into one growable buffer.
public struct WireWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func u8(_ v: UInt8) { bytes.append(v) }
    public mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }

    public mutating func u32(_ v: UInt32) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func u64(_ v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    public mutating func f64(_ v: Double) { u64(v.bitPattern) }

    public mutating func blob<C: Collection<UInt8>>(_ v: C) {
        u32(UInt32(v.count))
        bytes.append(contentsOf: v)
    }

    public mutating func string(_ v: String) { blob(v.utf8) }

    public mutating func taskID(_ id: TaskID) {
        u64(id.high)
        u64(id.low)
    }

    public mutating func objectID(_ id: ObjectID) {
        taskID(id.task)
        u32(id.index)
    }

    public mutating func objectIDs(_ ids: [ObjectID]) {
        bytes.reserveCapacity(bytes.count + 4 + ids.count * 20)
        u32(UInt32(ids.count))
        for id in ids { objectID(id) }
    }

    public mutating func array<T>(_ items: [T], _ write: (inout WireWriter, T) -> Void) {
        u32(UInt32(items.count))
        for item in items { write(&self, item) }
    }

    public mutating func optional<T>(_ item: T?, _ write: (inout WireWriter, T) -> Void) {
        if let item {
            u8(1)
            write(&self, item)
        } else {
            u8(0)
        }
    }
}
