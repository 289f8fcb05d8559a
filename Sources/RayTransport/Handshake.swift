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
        try HandshakeIO.send(frame + magic + secret.bytes, fd: fd)
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
        let received = try HandshakeIO.receive(4 + bodyLength, fd: fd, before: HandshakeIO.Deadline(seconds: timeout)) { bytes throws(TransportError) in
            // Refuse a wrong length as soon as it is known: nothing bigger is ever read.
            if bytes.count >= 4 && bytes.withUnsafeBytes({ UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }) != bodyLength {
                throw .unauthenticated("the first frame is not a handshake")
            }
        }
        guard Array(received[4..<4 + magic.count]) == magic else { throw .unauthenticated("the first frame is not a handshake") }
        guard secret.matches(received[(4 + magic.count)...]) else { throw .unauthenticated("wrong session secret") }
    }
}
