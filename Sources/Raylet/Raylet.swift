import Foundation
import Glibc
import RayCore
import RayObjectStore
import RayTransport
import Synchronization

/// The per-node service: hosts the node's shared-memory object store, schedules tasks onto
/// worker processes it starts, and reports to the control store. All state lives in one
/// `NodeState` behind one lock; each connection has a reader thread.
public final class Raylet: @unchecked Sendable {
    public let config: RayletConfig
    private let arena: SharedMemoryArena
    private let state: Mutex<NodeState>
    private let listener: Listener
    private let gcs: FramedConnection
    private let launcher: WorkerLauncher
    private let log = ServiceLog(component: "raylet")
    private let nextClient = Atomic<Int>(1)
    private let stopped = Atomic<Bool>(false)
    private let onShutdownRequest: @Sendable () -> Void

    /// - Parameter onShutdownRequest: called when a driver sends `shutdown` (the process exits).
    public init(config: RayletConfig, onShutdownRequest: @escaping @Sendable () -> Void) throws {
        self.config = config
        arena = try SharedMemoryArena(capacity: config.storeCapacity, name: "ray-store-\(config.nodeID)")
        state = Mutex(NodeState(nodeID: config.nodeID, arena: arena, resources: config.resources))
        gcs = try FramedConnection.connect(path: config.gcsSocketPath)
        let logDirectory = config.redirectWorkerOutput ? config.sessionDirectory + "/logs" : nil
        if let logDirectory { mkdir(logDirectory, 0o755) }
        launcher = WorkerLauncher(socketPath: config.socketPath, nodeID: config.nodeID, logDirectory: logDirectory)
        listener = try Listener(path: config.socketPath)
        self.onShutdownRequest = onShutdownRequest
    }

    public func start() throws {
        try gcs.send(.registerNode(NodeInfo(nodeID: config.nodeID, rayletAddress: config.socketPath, resources: config.resources,
                                            storeCapacity: config.storeCapacity, sessionDirectory: config.sessionDirectory)))
        gcs.startReading(name: "raylet gcs", onMessage: { _ in }, onClose: { [log] error in
            // A plain close is the cluster stopping; anything else is worth a line in the log.
            if case .closed = error { return }
            log.warning("lost the control store connection: \(error)")
        })
        listener.start { [self] connection in
            FramedConnection.startThread(name: "raylet client") { [self] in serve(connection) }
        }
        let maintenance = Thread { [self] in maintain() }
        maintenance.name = "raylet maintenance"
        maintenance.start()
    }

    /// Stops workers and listening. Idempotent.
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        listener.close()
        launcher.killAll()
        gcs.close()
    }

    /// Runs one client's connection on the calling thread until it closes.
    private func serve(_ connection: FramedConnection) {
        let id = nextClient.wrappingAdd(1, ordering: .relaxed).oldValue
        state.withLock { $0.connect(id, connection: connection) }
        // The first frame is read here, blocking, because the store's descriptor must be sent
        // before any reply frame so the client can receive it with the right recvmsg.
        guard case let .register(registration)? = try? connection.receive() else {
            log.warning("closing a connection whose first frame was not a registration")
            connection.close()
            _ = state.withLock { $0.disconnect(id) }
            return
        }
        let error = state.withLock { $0.register(id, registration) }
        if let error {
            log.warning("refusing client pid \(registration.pid): \(error)")
            connection.close()
            perform(state.withLock { $0.disconnect(id) })
            return
        }
        do {
            try connection.sendDescriptor(arena.fileDescriptor)
            try connection.send(.registered(nodeID: config.nodeID, storeCapacity: config.storeCapacity,
                                            sessionDirectory: config.sessionDirectory))
        } catch {
            connection.close()
        }
        perform(state.withLock { $0.registrationAnswered(id) })
        connection.readLoop(onMessages: { [self] messages in
            if messages.contains(where: { if case .shutdown = $0 { true } else { false } }) {
                onShutdownRequest()
                return
            }
            let now = NodeState.monotonicNow()
            perform(state.withLock { state in
                var actions = [NodeAction]()
                for message in messages { actions += state.handle(message, from: id, now: now) }
                return actions
            })
        }, onClose: { [self] error in
            if case .malformed = error { log.warning("closed a connection after a bad frame: \(error)") }
            perform(state.withLock { $0.disconnect(id) })
        })
    }

    /// Carries out actions in order; the messages of a run of sends go out with one write per
    /// connection.
    private func perform(_ actions: [NodeAction]) {
        var outgoing: [(connection: FramedConnection, messages: [Message])] = []
        func flush() {
            for (connection, messages) in outgoing {
                try? messages.count == 1 ? connection.send(messages[0]) : connection.send(messages)
            }
            outgoing.removeAll()
        }
        for action in actions {
            if case let .send(connection, message) = action {
                if let index = outgoing.firstIndex(where: { $0.connection === connection }) {
                    outgoing[index].messages.append(message)
                } else {
                    outgoing.append((connection, [message]))
                }
                continue
            }
            flush()
            switch action {
            case .send:
                break
            case let .spawnWorker(job, executable):
                do {
                    try launcher.spawn(job: job, executable: executable)
                } catch {
                    log.warning("could not start a worker for job \(job): \(error)")
                }
            case let .report(record):
                // Workers killed because the node stops did not fail: nothing to report.
                if !stopped.load(ordering: .acquiring) { try? gcs.send(.reportError(record)) }
            case let .stopWorker(connection):
                try? connection.send(.shutdown)
            case let .killWorker(connection, pid):
                if !launcher.kill(pid) { try? connection.send(.shutdown) }
            }
        }
        flush()
    }

    private func maintain() {
        while !stopped.load(ordering: .acquiring) {
            let now = NodeState.monotonicNow()
            let (actions, nextDeadline) = state.withLock { state in
                (state.tick(now: now, idleTimeout: config.idleWorkerTimeout), state.nextWaitDeadline)
            }
            perform(actions)
            launcher.reap()
            let sleepFor = min(0.1, max(0.001, (nextDeadline ?? .infinity) - NodeState.monotonicNow()))
            usleep(UInt32(sleepFor * 1_000_000))
        }
    }
}
