import CRaySupport
import Glibc

/// The first frame of every connection between processes of a session, before any message:
/// `u32 length = 40`, the magic `RAYAUTH1`, then the 32-byte session secret. A service reads it
/// itself, with a deadline and a fixed size, before it allocates anything for the peer, and
/// accepts only peers of its own user (or root) that know the secret.
public enum Handshake {
    static let magic = Array("RAYAUTH1".utf8)
    static var bodyLength: Int { magic.count + SessionSecret.byteCount }
    /// How long a new connection may take to authenticate before it is closed.
    public static let defaultTimeout = 3.0

    /// The client's side: sends the secret on a freshly connected socket.
    public static func introduce(fd: Int32, secret: SessionSecret) throws(TransportError) {
        var frame = [UInt8]()
        withUnsafeBytes(of: UInt32(bodyLength).littleEndian) { frame.append(contentsOf: $0) }
        frame += magic + secret.bytes
        var sent = 0
        while sent < frame.count {
            let n = frame.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n > 0 {
                sent += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                throw n == 0 || errno == EPIPE || errno == ECONNRESET ? .closed : .system("send handshake", errno)
            }
        }
    }

    /// The service's side: checks the peer's user with the kernel (`SO_PEERCRED`), then reads
    /// exactly one handshake frame within `timeout` seconds and checks the secret. Reads no byte
    /// past it, so a client may send its first message right behind the handshake.
    public static func authenticate(fd: Int32, secret: SessionSecret, timeout: Double = defaultTimeout) throws(TransportError) {
        var uid: uid_t = 0
        guard cray_peer_uid(fd, &uid) == 0 else { throw .system("getsockopt(SO_PEERCRED)", errno) }
        guard uid == geteuid() || uid == 0 else {
            throw .unauthenticated("peer runs as user \(uid), not as this session's user \(geteuid())")
        }
        let expected = 4 + bodyLength
        var received = [UInt8](repeating: 0, count: expected)
        var count = 0
        let deadline = BusyPoll.now() + UInt64(timeout * 1e9)
        while count < expected {
            let now = BusyPoll.now()
            guard now < deadline else { throw .unauthenticated("no handshake within \(timeout) s") }
            var pollfd = Glibc.pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pollfd, 1, Int32(max(1, (deadline - now) / 1_000_000)))
            if ready < 0 && errno != EINTR { throw .system("poll", errno) }
            guard ready > 0 else { continue }
            let n = received.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + count, expected - count, Int32(MSG_DONTWAIT)) }
            if n > 0 {
                count += n
                // Refuse a wrong length as soon as it is known: nothing bigger is ever read.
                if count >= 4 && received.withUnsafeBytes({ UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }) != bodyLength {
                    throw .unauthenticated("the first frame is not a handshake")
                }
            } else if n == 0 {
                throw .closed
            } else if errno != EAGAIN && errno != EINTR {
                throw .system("recv handshake", errno)
            }
        }
        guard Array(received[4..<4 + magic.count]) == magic else { throw .unauthenticated("the first frame is not a handshake") }
        guard secret.matches(received[(4 + magic.count)...]) else { throw .unauthenticated("wrong session secret") }
    }
}
