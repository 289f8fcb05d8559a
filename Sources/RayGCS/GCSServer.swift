import Foundation
import Glibc
import Logging
import RayCore
import RayTransport
import Synchronization

/// The global control store: serves the cluster's tables (`GCSTables`: jobs, nodes, errors, actor
/// names) over a socket (Unix for a private cluster, TCP for one started by `ray start`), pushes
/// error notices to the drivers that subscribed and node changes to the raylets and drivers that
/// subscribed, and declares dead the nodes whose heartbeats stop. One per cluster.
public final class GCSServer: Sendable {
    /// The tables, and the connection behind each client ID they name.
    private struct State {
        var tables: GCSTables
        var connections: [GCSClientID: FramedConnection] = [:]
        var nextClient = 0

        /// The connections behind deliveries (those whose client is gone are dropped).
        func resolve(_ deliveries: [GCSTables.Delivery]) -> [(FramedConnection, Message)] {
            deliveries.compactMap { delivery in connections[delivery.client].map { ($0, delivery.message) } }
        }

        /// Names a new connection.
        mutating func add(_ connection: FramedConnection) -> GCSClientID {
            nextClient += 1
            connections[GCSClientID(nextClient)] = connection
            return GCSClientID(nextClient)
        }
    }

    private let state: Mutex<State>
    private let listener: Listener
    private let log: Logger
    private let stopped = Atomic<Bool>(false)
    /// How long a node may go without a heartbeat before it is declared dead, unless told otherwise.
    public static let defaultNodeDeathTimeout = 10.0

    /// - Parameter nodeDeathTimeout: seconds without a heartbeat before a node is declared dead.
    public init(listener: Listener, log: Logger, nodeDeathTimeout: Double = GCSServer.defaultNodeDeathTimeout) {
        self.listener = listener
        self.log = log
        state = Mutex(State(tables: GCSTables(nodeDeathTimeout: nodeDeathTimeout)))
    }

    public convenience init(socketPath: String, secret: SessionSecret, log: Logger) throws {
        self.init(listener: try Listener(path: socketPath, secret: secret, log: log), log: log)
    }

    public func start() {
        listener.start { [self] connection in
            let client = state.withLock { $0.add(connection) }
            // Each authenticated connection arrives on a thread of its own, which reads it.
            connection.readLoop(onMessage: { [self] message in
                handle(message, from: client)
            }, onClose: { [self] error in
                if case .malformed = error { log.warning("closing a connection that sent a bad frame: \(error)") }
                deliver(state.withLock { state in
                    state.connections[client] = nil
                    return state.resolve(state.tables.clientClosed(client))
                })
            })
        }
        let clock = Thread { [self] in
            while !stopped.load(ordering: .acquiring) {
                let now = Self.monotonicNow()
                deliver(state.withLock { $0.resolve($0.tables.tick(now: now)) })
                usleep(100_000)
            }
        }
        clock.name = "gcs clock"
        clock.start()
    }

    public func stop() {
        stopped.store(true, ordering: .releasing)
        listener.close()
    }

    func handle(_ message: Message, from client: GCSClientID) {
        let now = Self.monotonicNow()
        let sends: [(FramedConnection, Message)]? = state.withLock { state in
            state.tables.handle(message, from: client, now: now).map { state.resolve($0) }
        }
        guard let sends else {
            log.warning("control store ignores unexpected message \(message.tag)")
            return
        }
        deliver(sends)
    }

    private func deliver(_ sends: [(FramedConnection, Message)]) {
        for (target, message) in sends { try? target.send(message) }
    }

    static func monotonicNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
