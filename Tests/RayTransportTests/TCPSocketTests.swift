import Glibc
import RayCore
@testable import RayTransport
import Testing

@Suite(.timeLimit(.minutes(1))) struct TCPSocketTests {
    static let loopback = NetworkAddress(ipv4: 0x7F00_0001, port: 0)

    @Test func portZeroReportsTheRealPort() throws {
        let (fd, bound) = try TCPSocket.listen(Self.loopback)
        defer { close(fd) }
        #expect(bound.port != 0)
        #expect(bound.host == "127.0.0.1")
        #expect(try TCPSocket.localAddress(fd) == bound)
    }

    @Test func aTakenPortIsAClearError() throws {
        let (fd, bound) = try TCPSocket.listen(Self.loopback)
        defer { close(fd) }
        let error = #expect(throws: TransportError.self) { _ = try TCPSocket.listen(bound) }
        guard case .addressInUse(bound) = error else { Issue.record("expected addressInUse, got \(String(describing: error))"); return }
        #expect(error?.description.contains("\(bound)") == true)
        #expect(error?.description.contains("in use") == true)
    }

    @Test func aClosedPortRefusesTheConnection() throws {
        // A port that was free a moment ago: bound, then closed without listening.
        let (fd, bound) = try TCPSocket.listen(Self.loopback)
        close(fd)
        let error = #expect(throws: TransportError.self) { _ = try TCPSocket.connect(to: bound, timeout: 2) }
        guard case .connectFailed(bound, .refused) = error else { Issue.record("expected refused, got \(String(describing: error))"); return }
        #expect(error?.description == "connection to \(bound) refused: nothing listens on that port")
    }

    /// A listener that accepts nothing and whose queue is full drops new connections' SYNs:
    /// a connect to it waits for its timeout and says so.
    @Test func aConnectNoOneAnswersTimesOut() throws {
        let (fd, bound) = try TCPSocket.listen(Self.loopback, backlog: 0)
        defer { close(fd) }
        var connected = [Int32]()
        defer { for client in connected { close(client) } }
        var failure: TransportError?
        for _ in 0..<4 where failure == nil {
            do throws(TransportError) {
                connected.append(try TCPSocket.connect(to: bound, timeout: 0.2))
            } catch {
                failure = error
            }
        }
        guard case .connectFailed(bound, .timedOut(seconds: 0.2)) = failure else {
            Issue.record("expected a timeout, got \(String(describing: failure))")
            return
        }
        #expect(failure?.description == "connecting to \(bound) timed out after 0.2 s")
    }

    @Test func connectionsHaveNoDelayBigBuffersAndCloseOnExec() throws {
        let (listener, bound) = try TCPSocket.listen(Self.loopback)
        defer { close(listener) }
        let client = try TCPSocket.connect(to: bound, timeout: 2)
        defer { close(client) }
        let served = try TCPSocket.accept(listener).get()
        defer { close(served) }
        for fd in [listener, client, served] {
            #expect(fcntl(fd, F_GETFD) & FD_CLOEXEC != 0)
        }
        for fd in [client, served] {
            #expect(Self.option(fd, Int32(IPPROTO_TCP), TCP_NODELAY) != 0)
            #expect(fcntl(fd, F_GETFL) & O_NONBLOCK == 0)
            // The kernel reports twice what it grants (half is its bookkeeping), at most twice its limit.
            if TCPSocket.grantsReceiveBuffer { #expect(Self.option(fd, SOL_SOCKET, SO_RCVBUF) >= TCPSocket.bufferSize) }
            if TCPSocket.grantsSendBuffer { #expect(Self.option(fd, SOL_SOCKET, SO_SNDBUF) >= TCPSocket.bufferSize) }
        }
    }

    private static func option(_ fd: Int32, _ level: Int32, _ name: Int32) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        #expect(getsockopt(fd, level, name, &value, &length) == 0)
        return value
    }
}
