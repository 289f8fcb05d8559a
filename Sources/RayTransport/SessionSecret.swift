/// The secret every process of one cluster session proves it knows in the first frame of each
/// connection: 32 random bytes made by the driver that starts the session and handed to the
/// services and workers it starts in their environment (readable only by the same user).
public struct SessionSecret: Sendable, Equatable, CustomStringConvertible {
    public static let byteCount = 32

    public let bytes: [UInt8]

    /// A new secret from the system's cryptographic generator (`getrandom`).
    public static func random() -> SessionSecret {
        var generator = SystemRandomNumberGenerator()
        return SessionSecret(unchecked: (0..<byteCount).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    private init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    /// Parses the hex form; nil unless it is exactly `byteCount` bytes of hex.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == 2 * Self.byteCount else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(Self.byteCount)
        for pair in stride(from: 0, to: digits.count, by: 2) {
            guard let high = Self.nibble(digits[pair]), let low = Self.nibble(digits[pair + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self.bytes = bytes
    }

    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }, as: UTF8.self)
    }

    /// Never prints the secret itself.
    public var description: String { "SessionSecret(\(Self.byteCount) bytes)" }

    /// Compares in time independent of where the bytes differ, so a peer cannot guess the
    /// secret byte by byte from how fast it is refused.
    public func matches(_ candidate: some Collection<UInt8>) -> Bool {
        guard candidate.count == bytes.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(bytes, candidate) { difference |= a ^ b }
        return difference == 0
    }

    public static func == (lhs: SessionSecret, rhs: SessionSecret) -> Bool { lhs.matches(rhs.bytes) }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
