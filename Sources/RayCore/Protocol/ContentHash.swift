/// The SHA-256 of a file's bytes: the name a program is shipped and cached under
/// (docs/ARCHITECTURE.md, "Programs on every node"). Hashing is in `RayTransport` (libcrypto).
public struct ContentHash: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 32
    /// Exactly `byteCount` bytes.
    public let bytes: [UInt8]

    /// Nil unless `bytes` has exactly `byteCount` bytes.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    /// From 64 hex digits; nil for anything else.
    public init?(hex: String) {
        guard let bytes = HexFormat.bytes(hex: hex, count: Self.byteCount) else { return nil }
        self.bytes = bytes
    }

    /// 64 lower-case hex digits, as `sha256sum` prints them; the file name in stores and caches.
    public var hex: String { HexFormat.hex(bytes) }
    public var description: String { hex }

    func write(to w: inout WireWriter) { for byte in bytes { w.u8(byte) } }

    static func read(from r: inout WireReader) throws(WireError) -> ContentHash {
        var bytes = [UInt8]()
        bytes.reserveCapacity(byteCount)
        for _ in 0..<byteCount { bytes.append(try r.u8()) }
        return ContentHash(bytes: bytes)!
    }
}
