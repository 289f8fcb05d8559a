/// Reads the fields `WireWriter` wrote. Every read is bounds-checked: a truncated or malformed
/// frame throws `WireError` and never reads past the buffer.
public struct WireReader {
    private let bytes: UnsafeRawBufferPointer
    public private(set) var offset = 0

    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    public var remaining: Int { bytes.count - offset }

    private mutating func take(_ count: Int, _ what: StaticString) throws(WireError) -> UnsafeRawBufferPointer {
        guard count >= 0, count <= remaining else {
            throw WireError.truncated(field: "\(what)", offset: offset, needed: count, available: remaining)
        }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
    }

    public mutating func u8() throws(WireError) -> UInt8 { try take(1, "u8")[0] }

    public mutating func bool() throws(WireError) -> Bool {
        let v = try u8()
        guard v <= 1 else { throw WireError.invalid("boolean byte \(v) at offset \(offset - 1)") }
        return v == 1
    }

    public mutating func u32() throws(WireError) -> UInt32 {
        UInt32(littleEndian: try take(4, "u32").loadUnaligned(as: UInt32.self))
    }

    public mutating func u64() throws(WireError) -> UInt64 {
        UInt64(littleEndian: try take(8, "u64").loadUnaligned(as: UInt64.self))
    }

    public mutating func i64() throws(WireError) -> Int64 { Int64(bitPattern: try u64()) }
    public mutating func f64() throws(WireError) -> Double { Double(bitPattern: try u64()) }

    public mutating func blob() throws(WireError) -> [UInt8] {
        Array(try blobBytes())
    }

    /// A blob's bytes where they lie in the frame, not copied: valid as long as the frame is.
    public mutating func blobBytes() throws(WireError) -> UnsafeRawBufferPointer {
        let count = Int(try u32())
        return try take(count, "blob")
    }

    public mutating func string() throws(WireError) -> String {
        let count = Int(try u32())
        return String(decoding: try take(count, "string"), as: UTF8.self)
    }

    public mutating func taskID() throws(WireError) -> TaskID {
        TaskID(high: try u64(), low: try u64())
    }

    public mutating func objectID() throws(WireError) -> ObjectID {
        ObjectID(task: try taskID(), index: try u32())
    }

    public mutating func objectIDs() throws(WireError) -> [ObjectID] {
        try array(itemBytes: ObjectID.byteCount) { reader throws(WireError) in try reader.objectID() }
    }

    /// A u32 (a count, an index) of at most `limit`; `field` names it in the error.
    public mutating func u32(_ field: StaticString, atMost limit: Int) throws(WireError) -> Int {
        let value = Int(try u32())
        guard value <= limit else { throw WireError.outOfRange(field: "\(field)", value: UInt64(value), limit: UInt64(limit)) }
        return value
    }

    /// A u64 size or offset of an object in an arena, or an arena's capacity: at most
    /// `WireLimits.maxArenaBytes`, hence never negative.
    public mutating func arenaBytes(_ field: StaticString) throws(WireError) -> Int {
        let value = try u64()
        guard value <= UInt64(WireLimits.maxArenaBytes) else {
            throw WireError.outOfRange(field: "\(field)", value: value, limit: UInt64(WireLimits.maxArenaBytes))
        }
        return Int(value)
    }

    /// A u64 size or offset of a shipped program: at most `WireLimits.maxExecutableBytes`.
    public mutating func executableBytes(_ field: StaticString) throws(WireError) -> Int {
        let value = try u64()
        guard value <= UInt64(WireLimits.maxExecutableBytes) else {
            throw WireError.outOfRange(field: "\(field)", value: value, limit: UInt64(WireLimits.maxExecutableBytes))
        }
        return Int(value)
    }

    /// Reads a count then that many items, each of which takes at least `itemBytes` bytes on the
    /// wire. The count is checked against the bytes left before anything is reserved, so a
    /// corrupt count cannot make us reserve more than a small multiple of the frame's size.
    public mutating func array<T>(itemBytes: Int, _ read: (inout WireReader) throws(WireError) -> T) throws(WireError) -> [T] {
        try items(Int(try u32()), itemBytes: itemBytes, read)
    }

    /// Reads `count` items of at least `itemBytes` bytes each, checking first that they can fit.
    public mutating func items<T>(_ count: Int, itemBytes: Int, _ read: (inout WireReader) throws(WireError) -> T) throws(WireError) -> [T] {
        guard count <= remaining / max(itemBytes, 1) else {
            throw WireError.invalid("array count \(count) of items of at least \(itemBytes) bytes exceeds the \(remaining) bytes left at offset \(offset)")
        }
        var items = [T]()
        items.reserveCapacity(count)
        for _ in 0..<count { items.append(try read(&self)) }
        return items
    }

    public mutating func optional<T>(_ read: (inout WireReader) throws(WireError) -> T) throws(WireError) -> T? {
        switch try u8() {
        case 0: return nil
        case 1: return try read(&self)
        case let tag: throw WireError.invalid("optional tag \(tag) at offset \(offset - 1)")
        }
    }
}
