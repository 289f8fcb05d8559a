/// A value that is exactly `byteCount` bytes (a secret, a token, a hash): made from bytes or from
/// their hex form only when the count is right, and written as hex. Conforming types give the
/// count and the unchecked initializer; this gives the checked ones.
public protocol FixedSizeBytes {
    static var byteCount: Int { get }
    var bytes: [UInt8] { get }
    /// Takes `bytes` as they are; callers have checked the count.
    init(exactly bytes: [UInt8])
}

extension FixedSizeBytes {
    /// Nil unless `bytes` has exactly `byteCount` bytes.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.init(exactly: bytes)
    }

    /// Parses the hex form; nil unless it is exactly `byteCount` bytes of hex.
    public init?(hex: String) {
        guard let bytes = HexFormat.bytes(hex: hex, count: Self.byteCount) else { return nil }
        self.init(exactly: bytes)
    }

    /// Lower-case hex, two digits a byte.
    public var hex: String { HexFormat.hex(bytes) }
}
