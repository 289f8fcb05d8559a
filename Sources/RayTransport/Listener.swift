import Foundation
import Glibc
import Logging
import Synchronization

/// Accepts connections on a Unix socket and hands over those that authenticate: each new
/// connection gets a thread of its own, which runs the `Handshake` (peer user, session secret,
/// deadline, fixed size) and then serves the connection. Until it has authenticated, a peer
/// costs one small buffer, and at most `maxPendingHandshakes` peers may be unauthenticated at once;
/// after, the receive buffers of all its connections together grow only as far as one
/// `ReceiveBudget` allows.
public final class Listener: @unchecked Sendable {
    public let path: String
    /// More peers than this that have not authenticated yet are refused at once.
    public static let maxPendingHandshakes = 64

    private let fd: Int32
    private let secret: SessionSecret
    private let log: Logger
    private let handshakeTimeout: Double
    private let closed = Atomic<Bool>(false)
    private let pendingHandshakes = Atomic<Int>(0)
    /// Shared by the connections this listener accepts.
    private let receiveBudget: ReceiveBudget

    public init(path: String, secret: SessionSecret, log: Logger, handshakeTimeout: Double = Handshake.defaultTimeout,
                receiveBudget: ReceiveBudget = ReceiveBudget()) throws(TransportError) {
        self.path = path
        self.receiveBudget = receiveBudget
        self.secret = secret
        self.log = log
        self.handshakeTimeout = handshakeTimeout
        fd = try UnixSocket.listen(path: path)
    }

    public func start(onConnection: @escaping @Sendable (FramedConnection) -> Void) {
        let thread = Thread { [self] in
            acceptLoop(accept: { [fd] in UnixSocket.accept(fd) }, onConnection: onConnection)
        }
        thread.name = "accept \(path)"
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
                if backoff == 0 { log.warning("accept on \(path) failed (\(error)); backing off and accepting again") }
                backoff = min(max(backoff * 2, 1000), 1_000_000)
                usleep(backoff)
            case let .failure(error):
                if !closed.load(ordering: .acquiring) { log.warning("stopped accepting on \(path): \(error)") }
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
                try Handshake.authenticate(fd: client, secret: secret, timeout: handshakeTimeout)
            } catch {
                pendingHandshakes.wrappingSubtract(1, ordering: .relaxed)
                if case .closed = error {} else { log.warning("refused a connection on \(path): \(error)") }
                Glibc.close(client)
                return
            }
            pendingHandshakes.wrappingSubtract(1, ordering: .relaxed)
            onConnection(FramedConnection(fd: client, receiveBudget: receiveBudget))
        }
    }

    /// Stops accepting and removes the socket file.
    public func close() {
        closed.store(true, ordering: .releasing)
        shutdown(fd, Int32(SHUT_RDWR))
        Glibc.close(fd)
        unlink(path)
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
