/// The SHA-256 of a file's bytes: the name a program is shipped and cached under
/// (docs/ARCHITECTURE.md, "Programs on every node"). Hashing is in `RayTransport` (libcrypto).
public struct ContentHash: FixedSizeBytes, Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 32
    /// Exactly `byteCount` bytes.
    public let bytes: [UInt8]

    public init(exactly bytes: [UInt8]) { self.bytes = bytes }

    /// 64 lower-case hex digits, as `sha256sum` prints them; the file name in stores and caches.
    public var description: String { hex }

    func write(to w: inout WireWriter) { for byte in bytes { w.u8(byte) } }

    static func read(from r: inout WireReader) throws(WireError) -> ContentHash {
        var bytes = [UInt8]()
        bytes.reserveCapacity(byteCount)
        for _ in 0..<byteCount { bytes.append(try r.u8()) }
        return ContentHash(bytes: bytes)!
    }
}
