import CRaySupport
import Glibc

/// Creating, binding and connecting Unix-domain stream sockets, all close-on-exec so that worker
/// processes never inherit another connection's descriptor.
public enum UnixSocket {
    /// Listens at `path`, replacing a stale socket file left by a dead process.
    public static func listen(path: String, backlog: Int32 = 512) throws(TransportError) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system("socket", errno) }
        unlink(path)
        do throws(TransportError) {
            try withAddress(path) { address, length throws(TransportError) in
                guard bind(fd, address, length) == 0 else { throw .system("bind \(path)", errno) }
                // Only the owner may connect, whatever the umask (the directory is private too).
                guard chmod(path, 0o600) == 0 else { throw .system("chmod \(path)", errno) }
            }
            guard Glibc.listen(fd, backlog) == 0 else { throw .system("listen \(path)", errno) }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// Connects and authenticates with the session's secret (see `Handshake`).
    public static func connect(path: String, secret: SessionSecret) throws(TransportError) -> Int32 {
        let fd = try connect(path: path)
        do throws(TransportError) {
            try Handshake.introduce(fd: fd, secret: secret)
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    public static func connect(path: String) throws(TransportError) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system("socket", errno) }
        do throws(TransportError) {
            try withAddress(path) { address, length throws(TransportError) in
                var rc: Int32
                repeat { rc = Glibc.connect(fd, address, length) } while rc != 0 && errno == EINTR
                guard rc == 0 else { throw .system("connect \(path)", errno) }
            }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// Accepts one connection, retrying interruptions and connections aborted before they were
    /// accepted.
    public static func accept(_ listener: Int32) -> Result<Int32, AcceptError> {
        while true {
            let fd = cray_accept_cloexec(listener)
            if fd >= 0 { return .success(fd) }
            if errno == EINTR || errno == ECONNABORTED { continue }
            return .failure(AcceptError(code: errno))
        }
    }

    /// The process ID of the peer of a connected socket (from the kernel, not from the peer).
    public static func peerProcessID(_ fd: Int32) -> Int32? {
        let pid = cray_peer_pid(fd)
        return pid > 0 ? pid : nil
    }

    private static func withAddress<R>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) throws(TransportError) -> R) throws(TransportError) -> R {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        let utf8 = Array(path.utf8)
        guard utf8.count < capacity else { throw .invalidAddress("socket path longer than \(capacity - 1) bytes: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: utf8)
            raw[utf8.count] = 0
        }
        let length = socklen_t(MemoryLayout<sockaddr_un>.size)
        return try withUnsafePointer(to: &address) { pointer throws(TransportError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(TransportError) in
                try body(address, length)
            }
        }
    }
}
