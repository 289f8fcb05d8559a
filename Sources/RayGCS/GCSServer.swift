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
    /// The programs of jobs, for other nodes to fetch; nil for a private single-machine cluster.
    private let executables: ExecutableStore?
    /// How long a node may go without a heartbeat before it is declared dead, unless told otherwise.
    public static let defaultNodeDeathTimeout = 10.0

    /// - Parameter nodeDeathTimeout: seconds without a heartbeat before a node is declared dead.
    ///   - executableDirectory: where shipped programs are kept (`<session>/executables`); nil
    ///     for a control store that keeps none.
    public init(listener: Listener, log: Logger, nodeDeathTimeout: Double = GCSServer.defaultNodeDeathTimeout,
                executableDirectory: String? = nil) throws {
        self.listener = listener
        self.log = log
        executables = try executableDirectory.map { directory throws(ExecutableStore.Failure) in try ExecutableStore(directory: directory) }
        state = Mutex(State(tables: GCSTables(nodeDeathTimeout: nodeDeathTimeout)))
    }

    public convenience init(socketPath: String, secret: SessionSecret, log: Logger) throws {
        try self.init(listener: try Listener(path: socketPath, secret: secret, log: log), log: log)
    }

    public func start() {
        listener.start { [self] connection in
            let client = state.withLock { $0.add(connection) }
            // Each authenticated connection arrives on a thread of its own, which reads it.
            connection.readLoop(onMessage: { [self] message in
                handle(message, from: client)
            }, onClose: { [self] error in
                if case .malformed = error { log.warning("closing a connection that sent a bad frame: \(error)") }
                executables?.abandon(client)
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
        if let reply = handleExecutable(message, from: client) {
            return deliver(state.withLock { $0.resolve([GCSTables.Delivery(client: client, message: reply)]) })
        }
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

    /// The answer to a message about shipped programs (their bytes are read and written here,
    /// outside the tables' lock); nil for other messages.
    private func handleExecutable(_ message: Message, from client: GCSClientID) -> Message? {
        func refuse(_ request: UInt64) -> Message? {
            executables == nil ? .executableReply(request: request, error: "this control store keeps no programs (a single-machine cluster)") : nil
        }
        switch message {
        case let .queryExecutable(request, hash):
            let size = executables?.size(of: hash)
            return .executableInfo(request: request, hash: size == nil ? nil : hash, size: size ?? 0)
        case let .uploadExecutable(request, hash, totalSize, offset, bytes):
            guard let executables else { return refuse(request) }
            do {
                if try executables.receive(hash, totalSize: totalSize, offset: offset, bytes: bytes, from: client) {
                    log.info("stored program \(hash) (\(totalSize) bytes)")
                }
                return .executableReply(request: request, error: nil)
            } catch {
                log.warning("refused an upload of program \(hash): \(error)")
                return .executableReply(request: request, error: "\(error)")
            }
        case let .readExecutable(request, hash, offset, count):
            guard let executables else { return refuse(request) }
            do {
                let (totalSize, bytes) = try executables.read(hash, offset: offset, count: count)
                return .executableChunk(request: request, totalSize: totalSize, offset: offset, bytes: bytes)
            } catch {
                return .executableReply(request: request, error: "\(error)")
            }
        case let .setJobExecutable(request, job, hash):
            guard let executables else { return refuse(request) }
            guard let size = executables.size(of: hash) else {
                return .executableReply(request: request, error: "\(ExecutableStore.Failure.notStored(hash))")
            }
            return .executableReply(request: request, error: state.withLock { $0.tables.setJobExecutable(job, hash: hash, size: size) })
        default:
            return nil
        }
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
