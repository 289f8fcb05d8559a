/// Bytes from the system's cryptographic generator (`getrandom`, which Swift's
/// `SystemRandomNumberGenerator` uses on Linux): secrets, tokens and handshake nonces.
enum SecureRandom {
    static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
