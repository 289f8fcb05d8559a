import RayCore

/// The secret every process of one cluster session proves it knows in the first frame of each
/// connection: 32 random bytes made by the driver that starts the session and handed to the
/// services and workers it starts in their environment (readable only by the same user).
public struct SessionSecret: FixedSizeBytes, Sendable, Equatable, CustomStringConvertible {
    public static let byteCount = 32

    public let bytes: [UInt8]

    /// A new secret from the system's cryptographic generator (`getrandom`).
    public static func random() -> SessionSecret {
        SessionSecret(exactly: SecureRandom.bytes(byteCount))
    }

    public init(exactly bytes: [UInt8]) { self.bytes = bytes }

    /// Never prints the secret itself.
    public var description: String { "SessionSecret(\(Self.byteCount) bytes)" }

    /// Compares in time independent of where the bytes differ, so a peer cannot guess the
    /// secret byte by byte from how fast it is refused.
    public func matches(_ candidate: some Collection<UInt8>) -> Bool { ConstantTime.equal(bytes, candidate) }

    public static func == (lhs: SessionSecret, rhs: SessionSecret) -> Bool { lhs.matches(rhs.bytes) }
}
