import Foundation
import Logging
import RayCore
import RayTransport
import Synchronization

/// The global control store: serves the cluster's tables (`GCSTables`: jobs, nodes, errors, actor
/// names) over a Unix socket and pushes error notices to the drivers that subscribed. One per cluster.
public final class GCSServer: Sendable {
    /// The tables, and the connection behind each client ID they name.
    private struct State {
        var tables = GCSTables()
        var connections: [GCSClientID: FramedConnection] = [:]
        var nextClient = 0

        /// Names a new connection.
        mutating func add(_ connection: FramedConnection) -> GCSClientID {
            nextClient += 1
            connections[GCSClientID(nextClient)] = connection
            return GCSClientID(nextClient)
        }
    }

    private let state = Mutex(State())
    private let listener: Listener
    private let log: Logger

    public init(socketPath: String, secret: SessionSecret, log: Logger) throws {
        listener = try Listener(path: socketPath, secret: secret, log: log)
        self.log = log
    }

    public func start() {
        listener.start { [self] connection in
            let client = state.withLock { $0.add(connection) }
            // Each authenticated connection arrives on a thread of its own, which reads it.
            connection.readLoop(onMessage: { [self] message in
                handle(message, from: client)
            }, onClose: { [self] error in
                if case .malformed = error { log.warning("closing a connection that sent a bad frame: \(error)") }
                state.withLock { state in
                    state.connections[client] = nil
                    state.tables.clientClosed(client)
                }
            })
        }
    }

    public func stop() { listener.close() }

    func handle(_ message: Message, from client: GCSClientID) {
        let sends: [(FramedConnection, Message)]? = state.withLock { state in
            state.tables.handle(message, from: client)?.compactMap { delivery in
                state.connections[delivery.client].map { ($0, delivery.message) }
            }
        }
        guard let sends else {
            log.warning("control store ignores unexpected message \(message.tag)")
            return
        }
        for (target, message) in sends { try? target.send(message) }
    }
}
