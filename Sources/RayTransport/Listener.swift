import Foundation
import Glibc
import Logging
import RayCore
import Synchronization

/// Accepts connections on a Unix socket or on TCP and hands over those that authenticate: each
/// new connection gets a thread of its own, which runs the handshake (on a Unix socket
/// `Handshake`: peer user, session secret; on TCP `TokenHandshake`: the cluster token; both with a
/// deadline and fixed sizes) and then serves the connection. Until it has authenticated, a peer
/// costs one small buffer, and at most `maxPendingHandshakes` peers may be unauthenticated at once;
/// after, the receive buffers of all its connections together grow only as far as one
/// `ReceiveBudget` allows.
public final class Listener: @unchecked Sendable {
    /// The socket file of a Unix listener; nil on TCP.
    public var path: String? {
        if case let .unix(path, _) = endpoint { path } else { nil }
    }
    /// The address a TCP listener is bound to, with the real port if it asked for port 0; nil on a Unix socket.
    public var address: NetworkAddress? {
        if case let .tcp(address, _) = endpoint { address } else { nil }
    }
    /// More peers than this that have not authenticated yet are refused at once.
    public static let maxPendingHandshakes = 64

    private let fd: Int32
    private let endpoint: ListenerEndpoint
    private let log: Logger
    private let handshakeTimeout: Double
    private let closed = Atomic<Bool>(false)
    private let pendingHandshakes = Atomic<Int>(0)
    /// Shared by the connections this listener accepts.
    private let receiveBudget: ReceiveBudget

    /// Listens on a Unix socket at `path`, for processes of this session.
    public convenience init(path: String, secret: SessionSecret, log: Logger, handshakeTimeout: Double = Handshake.defaultTimeout,
                            receiveBudget: ReceiveBudget = ReceiveBudget()) throws(TransportError) {
        self.init(fd: try UnixSocket.listen(path: path), endpoint: .unix(path: path, secret: secret), log: log,
                  handshakeTimeout: handshakeTimeout, receiveBudget: receiveBudget)
    }

    /// Listens on TCP at `tcp` (port 0: a free port, see `address`), for machines of this cluster.
    public convenience init(tcp: NetworkAddress, token: ClusterToken, log: Logger, handshakeTimeout: Double = Handshake.defaultTimeout,
                            receiveBudget: ReceiveBudget = ReceiveBudget()) throws(TransportError) {
        let (fd, bound) = try TCPSocket.listen(tcp)
        self.init(fd: fd, endpoint: .tcp(address: bound, token: token), log: log, handshakeTimeout: handshakeTimeout,
                  receiveBudget: receiveBudget)
    }

    private init(fd: Int32, endpoint: ListenerEndpoint, log: Logger, handshakeTimeout: Double, receiveBudget: ReceiveBudget) {
        self.fd = fd
        self.endpoint = endpoint
        self.log = log
        self.handshakeTimeout = handshakeTimeout
        self.receiveBudget = receiveBudget
    }

    public func start(onConnection: @escaping @Sendable (FramedConnection) -> Void) {
        let thread = Thread { [self] in
            acceptLoop(accept: { [fd, endpoint] in endpoint.accept(fd) }, onConnection: onConnection)
        }
        thread.name = "accept \(endpoint)"
        thread.start()
    }

    /// Accepts until the listener is closed. A failure that says the process or the system is
    /// out of descriptors or memory (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`) passes when
    /// connections close, so the loop backs off (1 ms doubling to 1 s) and keeps accepting; it
    /// logs the first such failure of a run of them.
    func acceptLoop(accept: () -> Result<Int32, AcceptError>, onConnection: @escaping @Sendable (FramedConnection) -> Void) {
        var backoff: UInt32 = 0
        while !closed.load(ordering: .acquiring) {
            switch accept() {
            case let .success(client):
                backoff = 0
                admit(client, onConnection: onConnection)
            case let .failure(error) where error.isTemporary:
                if backoff == 0 { log.warning("accept on \(endpoint) failed (\(error)); backing off and accepting again") }
                backoff = min(max(backoff * 2, 1000), 1_000_000)
                usleep(backoff)
            case let .failure(error):
                if !closed.load(ordering: .acquiring) { log.warning("stopped accepting on \(endpoint): \(error)") }
                return
            }
        }
    }

    private func admit(_ client: Int32, onConnection: @escaping @Sendable (FramedConnection) -> Void) {
        guard pendingHandshakes.wrappingAdd(1, ordering: .relaxed).oldValue < Self.maxPendingHandshakes else {
            pendingHandshakes.wrappingSubtract(1, ordering: .relaxed)
            Glibc.close(client)
            return
        }
        FramedConnection.startThread(name: "ray connection") { [self] in
            do throws(TransportError) {
                try endpoint.authenticate(client, timeout: handshakeTimeout)
            } catch {
                pendingHandshakes.wrappingSubtract(1, ordering: .relaxed)
                if case .closed = error {} else { log.warning("refused a connection on \(endpoint): \(error)") }
                Glibc.close(client)
                return
            }
            pendingHandshakes.wrappingSubtract(1, ordering: .relaxed)
            onConnection(FramedConnection(fd: client, receiveBudget: receiveBudget))
        }
    }

    /// Stops accepting and removes a Unix socket's file.
    public func close() {
        closed.store(true, ordering: .releasing)
        shutdown(fd, Int32(SHUT_RDWR))
        Glibc.close(fd)
        endpoint.removeTraces()
    }
}

/// Why `accept` failed: an `errno` value.
public struct AcceptError: Error, CustomStringConvertible, Sendable {
    public let code: Int32

    public init(code: Int32) { self.code = code }

    /// Failures that go away as descriptors or memory are freed.
    var isTemporary: Bool { [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(code) }

    public var description: String { String(cString: strerror(code)) }
}
