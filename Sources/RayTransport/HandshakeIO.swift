import Glibc

/// Reading and writing the few fixed-size bytes of a handshake on a fresh socket, before the
/// peer is trusted: exactly the bytes expected are read (never more, so the first frame after the
/// handshake stays in the socket), into a buffer of that size, before a deadline.
enum HandshakeIO {
    /// When a handshake must be over, and how long it was given (for the error).
    struct Deadline {
        let seconds: Double
        let end: UInt64

        init(seconds: Double) {
            self.seconds = seconds
            end = BusyPoll.now() + UInt64(max(0, seconds) * 1e9)
        }
    }

    static func send(_ bytes: [UInt8], fd: Int32) throws(TransportError) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n > 0 {
                sent += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                throw n == 0 || errno == EPIPE || errno == ECONNRESET ? .closed : .system("send handshake", errno)
            }
        }
    }

    /// Reads exactly `count` bytes before `deadline`. After each read, `check` sees the bytes
    /// so far and may refuse them at once, so a wrong peer is not waited for.
    static func receive(_ count: Int, fd: Int32, before deadline: Deadline,
                        check: (ArraySlice<UInt8>) throws(TransportError) -> Void = { _ in }) throws(TransportError) -> [UInt8] {
        var received = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let now = BusyPoll.now()
            guard now < deadline.end else { throw .unauthenticated("no handshake within \(deadline.seconds) s") }
            var pollfd = Glibc.pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pollfd, 1, Int32(max(1, (deadline.end - now) / 1_000_000)))
            if ready < 0 && errno != EINTR { throw .system("poll", errno) }
            guard ready > 0 else { continue }
            let n = received.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + filled, count - filled, Int32(MSG_DONTWAIT)) }
            if n > 0 {
                filled += n
                try check(received[..<filled])
            } else if n == 0 {
                throw .closed
            } else if errno == ECONNRESET {
                throw .closed
            } else if errno != EAGAIN && errno != EINTR {
                throw .system("recv handshake", errno)
            }
        }
        return received
    }
}
