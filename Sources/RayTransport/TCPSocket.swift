import Foundation
import Glibc
import RayCore

/// Creating, binding and connecting TCP sockets between the machines of a cluster: IPv4, all
/// close-on-exec (a worker never inherits another connection), `TCP_NODELAY` on every connection
/// (frames are small requests waiting for answers; Nagle's delay would add up to 40 ms to each),
/// and large socket buffers (see `bufferSize`).
public enum TCPSocket {
    /// The send and receive buffer each TCP socket asks for: one 8 MiB object chunk in flight,
    /// the bandwidth-delay product of a 10 Gb/s link at 6 ms round trip. See `setBufferSizes`.
    public static let bufferSize: Int32 = 8 << 20

    /// Listens on `address` (port 0: the kernel picks a free port) and returns the socket and the
    /// address it is bound to, with the real port.
    public static func listen(_ address: NetworkAddress, backlog: Int32 = 512) throws(TransportError) -> (fd: Int32, address: NetworkAddress) {
        let fd = try newSocket()
        do throws(TransportError) {
            var reuse: Int32 = 1
            // A restarted service may bind its port again while the old connections linger in TIME_WAIT.
            guard setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
                throw .system("setsockopt(SO_REUSEADDR)", errno)
            }
            // Set on the listener, the buffer sizes pass to accepted sockets before their handshake,
            // when the window scale is agreed.
            setBufferSizes(fd)
            var raw = socketAddress(of: address)
            let bound = withUnsafePointer(to: &raw) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { throw errno == EADDRINUSE ? .addressInUse(address) : .system("bind \(address)", errno) }
            guard Glibc.listen(fd, backlog) == 0 else { throw .system("listen \(address)", errno) }
            return (fd, try localAddress(fd))
        } catch {
            close(fd)
            throw error
        }
    }

    /// Connects to `address`, giving up after `timeout` seconds; the connection is blocking.
    public static func connect(to address: NetworkAddress, timeout: Double) throws(TransportError) -> Int32 {
        let fd = try newSocket(nonBlocking: true)
        do throws(TransportError) {
            setBufferSizes(fd)
            var raw = socketAddress(of: address)
            let rc = withUnsafePointer(to: &raw) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if rc != 0 {
                guard errno == EINPROGRESS || errno == EINTR else { throw connectFailure(address, errno, timeout: timeout) }
                try waitUntilConnected(fd, address: address, timeout: timeout)
            }
            guard fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) == 0 else { throw .system("fcntl(O_NONBLOCK)", errno) }
            try setNoDelay(fd)
            return fd
        } catch {
            close(fd)
            throw error
        }
    }

    /// Accepts one connection, with `TCP_NODELAY`, retrying interruptions and connections
    /// aborted before they were accepted.
    public static func accept(_ listener: Int32) -> Result<Int32, AcceptError> {
        UnixSocket.accept(listener).flatMap { fd in
            do throws(TransportError) {
                try setNoDelay(fd)
                return .success(fd)
            } catch {
                close(fd)
                // The peer left already (setsockopt on a reset socket); like ECONNABORTED, not the listener's failure.
                return accept(listener)
            }
        }
    }

    /// The address a socket is bound to (the real port after binding port 0).
    public static func localAddress(_ fd: Int32) throws(TransportError) -> NetworkAddress {
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { throw .system("getsockname", errno) }
        return NetworkAddress(ipv4: UInt32(bigEndian: bound.sin_addr.s_addr), port: UInt16(bigEndian: bound.sin_port))
    }

    private static func newSocket(nonBlocking: Bool = false) throws(TransportError) -> Int32 {
        var type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        if nonBlocking { type |= Int32(SOCK_NONBLOCK.rawValue) }
        let fd = socket(AF_INET, type, 0)
        guard fd >= 0 else { throw .system("socket", errno) }
        return fd
    }

    private static func socketAddress(of address: NetworkAddress) -> sockaddr_in {
        var raw = sockaddr_in()
        raw.sin_family = sa_family_t(AF_INET)
        raw.sin_port = address.port.bigEndian
        raw.sin_addr = in_addr(s_addr: address.ipv4.bigEndian)
        return raw
    }

    /// Waits for a non-blocking connect to finish, then reads its outcome (`SO_ERROR`).
    private static func waitUntilConnected(_ fd: Int32, address: NetworkAddress, timeout: Double) throws(TransportError) {
        let deadline = BusyPoll.now() + UInt64(max(0, timeout) * 1e9)
        while true {
            let now = BusyPoll.now()
            guard now < deadline else { throw .connectFailed(address, .timedOut(seconds: timeout)) }
            var pollfd = Glibc.pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&pollfd, 1, Int32(max(1, (deadline - now) / 1_000_000)))
            if ready < 0 && errno != EINTR { throw .system("poll", errno) }
            if ready > 0 { break }
        }
        var failure: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length) == 0 else { throw .system("getsockopt(SO_ERROR)", errno) }
        if failure != 0 { throw connectFailure(address, failure, timeout: timeout) }
    }

    private static func connectFailure(_ address: NetworkAddress, _ code: Int32, timeout: Double) -> TransportError {
        switch code {
        case ECONNREFUSED: .connectFailed(address, .refused)
        case EHOSTUNREACH, ENETUNREACH: .connectFailed(address, .unreachable(code))
        // The kernel gave up first (its SYN retries last about two minutes).
        case ETIMEDOUT: .connectFailed(address, .timedOut(seconds: timeout))
        default: .connectFailed(address, .system(code))
        }
    }

    private static func setNoDelay(_ fd: Int32) throws(TransportError) {
        var on: Int32 = 1
        guard setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw .system("setsockopt(TCP_NODELAY)", errno)
        }
    }

    /// Asks for `bufferSize` where the kernel grants it. A size set by hand turns off the kernel's
    /// own tuning of that buffer (which grows to `tcp_rmem`/`tcp_wmem`'s maximum, 4-6 MiB by
    /// default); where `net.core.rmem_max`/`wmem_max` is small (208 KiB by default) the set size
    /// would be capped there, so the buffer is left to the kernel.
    private static func setBufferSizes(_ fd: Int32) {
        var size = bufferSize
        for (option, granted) in [(SO_SNDBUF, grantsSendBuffer), (SO_RCVBUF, grantsReceiveBuffer)] where granted {
            _ = setsockopt(fd, SOL_SOCKET, option, &size, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// Whether the kernel's limit lets a socket have `bufferSize` (it doubles what is asked, up to twice the limit).
    static let grantsSendBuffer = kernelLimit("/proc/sys/net/core/wmem_max") >= Int(bufferSize) / 2
    static let grantsReceiveBuffer = kernelLimit("/proc/sys/net/core/rmem_max") >= Int(bufferSize) / 2

    private static func kernelLimit(_ path: String) -> Int {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
    }
}
