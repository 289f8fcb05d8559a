/// How both ends of a TCP connection prove they know the cluster's token, before any frame and
/// without sending it (HMAC-SHA256 challenge and response, fixed sizes, one deadline):
///
/// 1. service → client, 40 bytes: `RAYTCP01`, the service's 32-byte random nonce `S`;
/// 2. client → service, 72 bytes: `RAYTCP01`, the client's nonce `C`, HMAC(token, "client" S C);
/// 3. service → client, 32 bytes: HMAC(token, "server" C S), sent only if step 2 was right.
///
/// Each side answers a nonce the other just chose, so a recorded exchange cannot be replayed, and
/// the labels keep one side's proof from serving as the other's. A client sends no frame before
/// it has checked step 3, so a service that does not know the token learns nothing from it.
public enum TokenHandshake {
    static let magic = Array("RAYTCP01".utf8)
    static let nonceCount = 32
    /// The bytes of step 1, the service's hello.
    public static var helloLength: Int { magic.count + nonceCount }
    /// The bytes of step 2, the client's answer: all a service reads before it trusts the peer.
    public static var answerLength: Int { magic.count + nonceCount + HMAC.byteCount }

    /// The service's side, on a freshly accepted socket. Reads no byte past the client's answer,
    /// so the client's first frame may follow it at once.
    public static func authenticate(fd: Int32, token: ClusterToken, timeout: Double = Handshake.defaultTimeout) throws(TransportError) {
        let deadline = HandshakeIO.Deadline(seconds: timeout)
        let serverNonce = SecureRandom.bytes(nonceCount)
        try HandshakeIO.send(magic + serverNonce, fd: fd)
        let answer = try HandshakeIO.receive(answerLength, fd: fd, before: deadline) { bytes throws(TransportError) in
            guard bytes.prefix(magic.count).elementsEqual(magic.prefix(bytes.count)) else {
                throw .unauthenticated("the peer did not answer with a Ray TCP handshake")
            }
        }
        let clientNonce = Array(answer[magic.count..<magic.count + nonceCount])
        guard ConstantTime.equal(answer[(magic.count + nonceCount)...], proof("client", token, serverNonce, clientNonce)) else {
            throw .unauthenticated("wrong cluster token (the peer's proof does not match this cluster's token)")
        }
        try HandshakeIO.send(proof("server", token, clientNonce, serverNonce), fd: fd)
    }

    /// The client's side, on a freshly connected socket: proves the token and checks that the
    /// service knows it too.
    public static func introduce(fd: Int32, token: ClusterToken, timeout: Double = Handshake.defaultTimeout) throws(TransportError) {
        let deadline = HandshakeIO.Deadline(seconds: timeout)
        let hello: [UInt8]
        do throws(TransportError) {
            hello = try HandshakeIO.receive(helloLength, fd: fd, before: deadline) { bytes throws(TransportError) in
                guard bytes.prefix(magic.count).elementsEqual(magic.prefix(bytes.count)) else {
                    throw .unauthenticated("the service did not start a Ray TCP handshake (is it a Ray service?)")
                }
            }
        } catch .closed {
            throw .unauthenticated("the service closed the connection before its handshake (too many connections pending?)")
        }
        let serverNonce = Array(hello[magic.count...])
        let clientNonce = SecureRandom.bytes(nonceCount)
        try HandshakeIO.send(magic + clientNonce + proof("client", token, serverNonce, clientNonce), fd: fd)
        let answer: [UInt8]
        do throws(TransportError) {
            answer = try HandshakeIO.receive(HMAC.byteCount, fd: fd, before: deadline)
        } catch .closed {
            throw .unauthenticated("wrong cluster token (the service refused this one)")
        }
        guard ConstantTime.equal(answer, proof("server", token, clientNonce, serverNonce)) else {
            throw .unauthenticated("wrong cluster token (the service's proof does not match this cluster's token)")
        }
    }

    /// What one side sends to show it knows the token: the label keeps a client's proof from
    /// passing as a service's.
    static func proof(_ label: String, _ token: ClusterToken, _ first: [UInt8], _ second: [UInt8]) -> [UInt8] {
        HMAC.sha256(key: token.bytes, data: Array(label.utf8) + first + second)
    }
}
