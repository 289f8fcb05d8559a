import Glibc
import RayTransport

// libFuzzer target: the service's side of the cluster token's handshake
// (`TokenHandshake.authenticate`) reading arbitrary bytes from a peer, over a socket pair.
//
// The input is everything the peer sends; then it closes its side. The handshake must refuse it
// (a random answer cannot carry the proof for a nonce the service has just drawn), never read
// more than one answer's bytes, and return at once: the peer's close, not the deadline, ends a
// short input.

private let token = ClusterToken(hex: String(repeating: "5a", count: ClusterToken.byteCount))!

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    FuzzSeeds.writeSeedsIfAsked {
        // Well-formed answers (magic, nonce, proof) with a wrong proof, cut short, and run on.
        let answer = Array("RAYTCP01".utf8) + [UInt8](repeating: 1, count: 32) + [UInt8](repeating: 2, count: 32)
        return [answer, Array(answer.prefix(8)), Array(answer.prefix(40)), answer + [0, 0, 0, 4, 17], Array("RAYAUTH1".utf8)]
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenHandshake(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var fds: [Int32] = [0, 0]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else { fatalError("socketpair: \(errno)") }
    let (peer, service) = (fds[0], fds[1])
    defer {
        close(peer)
        close(service)
    }
    // Room for a whole input in the socket, so the peer's write never waits for the service.
    var bufferSize: CInt = 1 << 20
    setsockopt(peer, SOL_SOCKET, SO_SNDBUF, &bufferSize, socklen_t(MemoryLayout<CInt>.size))
    var written = 0
    while written < size {
        let n = send(peer, data + written, size - written, Int32(MSG_NOSIGNAL))
        guard n > 0 else { fatalError("send: \(errno)") }
        written += n
    }
    shutdown(peer, Int32(SHUT_WR))

    do {
        try TokenHandshake.authenticate(fd: service, token: token, timeout: 10)
        fatalError("a random answer passed the handshake")
    } catch {
        if case let .unauthenticated(why) = error, why.hasPrefix("no handshake") { fatalError("waited for the deadline: \(error)") }
    }
    var left: CInt = 0
    _ = ioctl(service, UInt(FIONREAD), &left)
    precondition(size - Int(left) <= TokenHandshake.answerLength, "the service read \(size - Int(left)) bytes of \(size)")
    return 0
}
