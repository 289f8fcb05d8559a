import Foundation
import Glibc
import Logging
import RayCore
import RayObjectStore
import RayTransport
import Synchronization

/// The per-node service: hosts the node's shared-memory object store, schedules tasks onto
/// worker processes it starts, and reports to the control store. In a multi-node cluster it also
/// spills tasks to other nodes' raylets and pulls objects from them (`RayletNetwork`). All state
/// lives in one `NodeState` behind one lock; each connection has a reader thread.
public final class Raylet: @unchecked Sendable {
    public let config: RayletConfig
    private let arena: SharedMemoryArena
    private let state: Mutex<NodeState>
    /// Each client's connection, by the ID the state machine names it with.
    private let connections = Mutex<[Int: FramedConnection]>([:])
    private let listener: Listener
    private let gcs: FramedConnection
    private let launcher: WorkerLauncher
    private let log = RayLogging.logger("raylet")
    private let nextClient = Atomic<Int>(1)
    private let stopped = Atomic<Bool>(false)
    private let onShutdownRequest: @Sendable () -> Void
    private let network: RayletNetwork?
    private let peers = PeerLinks()
    /// The senders of objects to the peers that pulled them, by the peer's client ID.
    private let objectSenders = Mutex<[Int: ObjectSender]>([:])
    /// How often the node tells the control store what it has free (only when that changed, and
    /// at least every `heartbeatKeepAlive` seconds so the store knows it lives).
    static let heartbeatInterval = 0.1
    static let heartbeatKeepAlive = 1.0

    /// - Parameters:
    ///   - gcs: an open connection to the control store.
    ///   - network: how to reach other nodes; nil for a node of a private single-machine cluster.
    ///   - onShutdownRequest: called when a driver sends `shutdown` (the process exits).
    public init(config: RayletConfig, gcs: FramedConnection, network: RayletNetwork? = nil,
                onShutdownRequest: @escaping @Sendable () -> Void) throws {
        self.config = config
        self.gcs = gcs
        self.network = network
        arena = try SharedMemoryArena(capacity: config.storeCapacity, name: "ray-store-\(config.nodeID)")
        state = Mutex(NodeState(nodeID: config.nodeID, arena: arena, resources: config.resources))
        let logDirectory = config.redirectWorkerOutput ? SessionLayout(directory: config.sessionDirectory).logs : nil
        if let logDirectory { mkdir(logDirectory, 0o700) }
        launcher = WorkerLauncher(socketPath: config.socketPath, nodeID: config.nodeID, nodeIP: config.nodeIP, logDirectory: logDirectory)
        listener = try Listener(path: config.socketPath, secret: config.secret, log: log)
        self.onShutdownRequest = onShutdownRequest
    }

    public func start() throws {
        try gcs.send(.registerNode(NodeInfo(nodeID: config.nodeID, rayletAddress: config.socketPath, resources: config.resources,
                                            storeCapacity: config.storeCapacity, sessionDirectory: config.sessionDirectory,
                                            nodeIP: config.nodeIP, peerAddress: network?.advertisedAddress ?? "")))
        if network != nil { try gcs.send(.subscribeNodes) }
        gcs.startReading(name: "raylet gcs", onMessage: { [self] message in
            handleClusterNotice(message)
        }, onClose: { [self] error in
            // A plain close is the cluster stopping; anything else is worth a line in the log.
            if case .closed = error {} else { log.warning("lost the control store connection: \(error)") }
            // A node of a cluster cannot go on without its control store.
            if network != nil && !stopped.load(ordering: .acquiring) { onShutdownRequest() }
        })
        // Each authenticated connection arrives on a thread of its own, which serves it.
        listener.start { [self] connection in serve(connection) }
        network?.listener.start { [self] connection in servePeer(connection) }
        let maintenance = Thread { [self] in maintain() }
        maintenance.name = "raylet maintenance"
        maintenance.start()
        if network != nil {
            let heartbeat = Thread { [self] in sendHeartbeats() }
            heartbeat.name = "raylet heartbeat"
            heartbeat.start()
        }
    }

    /// Stops workers and listening. Idempotent.
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        listener.close()
        network?.listener.close()
        peers.closeAll()
        launcher.killAll()
        // Killed workers could not remove their actors' sockets.
        let layout = SessionLayout(directory: config.sessionDirectory)
        for actorID in state.withLock({ $0.actors.ids }) { unlink(layout.actorSocket(actorID)) }
        gcs.close()
    }

    /// Runs one client's connection on the calling thread until it closes.
    private func serve(_ connection: FramedConnection) {
        let id = nextClient.wrappingAdd(1, ordering: .relaxed).oldValue
        connections.withLock { $0[id] = connection }
        state.withLock { $0.connect(id) }
        // The first frame is read here, blocking, because the store's descriptor must be sent
        // before any reply frame so the client can receive it with the right recvmsg.
        guard case let .register(registration)? = try? connection.receive() else {
            log.warning("closing a connection whose first frame was not a registration")
            return drop(id, connection)
        }
        let error = Self.checkExecutable(of: registration, on: connection) ?? state.withLock { $0.register(id, registration) }
        if let error {
            log.warning("refusing client pid \(registration.pid): \(error)")
            return drop(id, connection)
        }
        if registration.kind == .driver { network?.programs?.driverRegistered(registration.jobID) }
        do {
            try connection.sendDescriptor(arena.fileDescriptor)
            try connection.send(.registered(nodeID: config.nodeID, storeCapacity: config.storeCapacity,
                                            sessionDirectory: config.sessionDirectory))
        } catch {
            connection.close()
        }
        perform(state.withLock { $0.registrationAnswered(id, now: NodeState.monotonicNow()) })
        readMessages(of: id, on: connection)
    }

    /// Runs another raylet's connection to this one: it forwards tasks and pulls objects.
    private func servePeer(_ connection: FramedConnection) {
        guard case let .peerHello(node)? = try? connection.receive() else {
            log.warning("closing a node connection whose first frame was not peerHello")
            return connection.close()
        }
        let id = nextClient.wrappingAdd(1, ordering: .relaxed).oldValue
        connections.withLock { $0[id] = connection }
        objectSenders.withLock { $0[id] = ObjectSender(connection: connection, arena: arena, label: "ray objects to \(node)") }
        state.withLock { state in
            state.connect(id)
            state.peerConnected(id, node: node)
        }
        readMessages(of: id, on: connection)
        objectSenders.withLock { $0[id] = nil }
    }

    /// Handles a client's messages, a batch under one lock, until its connection closes.
    private func readMessages(of id: Int, on connection: FramedConnection) {
        connection.readLoop(onMessages: { [self] messages in
            // The driver that started a private cluster ends it; a node of a cluster started with
            // `ray start` outlives its drivers (`ray stop` ends it).
            if network == nil, messages.contains(where: { if case .shutdown = $0 { true } else { false } }) {
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
            drop(id, connection)
        })
    }

    /// Closes a client's connection and forgets the client (what it held, what it ran).
    private func drop(_ id: Int, _ connection: FramedConnection) {
        connection.close()
        perform(state.withLock { $0.disconnect(id, now: NodeState.monotonicNow()) })
        connections.withLock { $0[id] = nil }
    }

    /// Workers run the executable a driver names, as this raylet's user: it must be the
    /// driver's own program, as the kernel knows it, never a path the peer merely claims.
    static func checkExecutable(of registration: ClientRegistration, on connection: FramedConnection) -> String? {
        guard registration.kind == .driver else { return nil }
        guard let pid = UnixSocket.peerProcessID(connection.fd) else { return "cannot tell which process is connected" }
        guard let running = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe") else {
            return "cannot read the executable of process \(pid)"
        }
        guard running == registration.executablePath else {
            return "the driver names \(registration.executablePath) as its executable, but process \(pid) runs \(running)"
        }
        return nil
    }

    /// Carries out actions in order; the messages of a run of sends go out with one write per
    /// connection.
    private func perform(_ actions: [NodeAction]) {
        guard !actions.isEmpty else { return }
        let clients = connections.withLock { connections in
            actions.map { action -> FramedConnection? in
                switch action {
                case let .send(client, _), let .stopWorker(client), let .killWorker(client, _): connections[client]
                case let .sendToPeer(node, _): peers[node]
                default: nil
                }
            }
        }
        var outgoing: [(connection: FramedConnection, messages: [Message])] = []
        func flush() {
            for (connection, messages) in outgoing {
                try? messages.count == 1 ? connection.send(messages[0]) : connection.send(messages)
            }
            outgoing.removeAll()
        }
        func enqueue(_ message: Message, on connection: FramedConnection?) {
            guard let connection else { return }
            if let index = outgoing.firstIndex(where: { $0.connection === connection }) {
                outgoing[index].messages.append(message)
            } else {
                outgoing.append((connection, [message]))
            }
        }
        for (action, connection) in zip(actions, clients) {
            switch action {
            case let .send(_, message), let .sendToPeer(_, message):
                enqueue(message, on: connection)
                continue
            default:
                break
            }
            flush()
            switch action {
            case .send, .sendToPeer:
                break
            case let .sendObject(client, id, offset, size, contained):
                objectSenders.withLock { $0[client] }?.send(id, offset: offset, size: size, contained: contained)
            case let .spawnWorker(job, executable, token):
                do {
                    // The job's program, fetched first if its driver is elsewhere and shipped it.
                    let program = try network?.programs?.resolve(job: job, path: executable) ?? executable
                    try launcher.spawn(job: job, executable: program, token: token)
                } catch {
                    log.warning("could not start a worker for job \(job): \(error)")
                    perform(state.withLock { $0.workerFailedToStart(token: token, reason: "\(nodeName): \(error)", now: NodeState.monotonicNow()) })
                }
            case let .report(record):
                // Workers killed because the node stops did not fail: nothing to report.
                if !stopped.load(ordering: .acquiring) { try? gcs.send(.reportError(record)) }
            case .stopWorker:
                try? connection?.send(.shutdown)
            case let .killWorker(_, pid):
                if !launcher.kill(pid) { try? connection?.send(.shutdown) }
            case let .removeActorSocket(actorID):
                unlink(SessionLayout(directory: config.sessionDirectory).actorSocket(actorID))
            }
        }
        flush()
    }

    /// How reasons name this node: "on node <id> (<ip>)".
    private var nodeName: String { "on node \(config.nodeID) (\(config.nodeIP))" }

    // MARK: The other nodes

    /// A change the control store announced: a node joined, reported, or died.
    private func handleClusterNotice(_ message: Message) {
        let now = NodeState.monotonicNow()
        switch message {
        case let .nodeAdded(info):
            guard info.nodeID != config.nodeID, !info.peerAddress.isEmpty else { return }
            connectPeer(info)
            perform(state.withLock { $0.peerJoined(info, now: now) })
        case let .nodeResources(node, available, queued):
            perform(state.withLock { $0.peerReported(node, available: available, queuedTasks: queued, now: now) })
        case let .nodeDied(node, reason):
            peers.remove(node)?.close()
            log.warning("node \(node) died: \(reason)")
            perform(state.withLock { $0.peerDied(node, reason: reason, now: now) })
        default:
            break
        }
    }

    /// Opens this node's connection to another, on which it forwards tasks and pulls objects and
    /// reads the answers.
    private func connectPeer(_ info: NodeInfo) {
        guard let network else { return }
        let connection: FramedConnection
        do {
            connection = try network.connect(info.peerAddress)
            try connection.send(.peerHello(nodeID: config.nodeID))
        } catch {
            log.warning("cannot reach node \(info.nodeID) at \(info.peerAddress): \(error)")
            return
        }
        guard peers.add(connection, for: info.nodeID) else { return connection.close() }
        FramedConnection.startThread(name: "raylet peer \(info.nodeID)") { [self] in
            // Object chunks are read in place and copied once, into the store.
            connection.readLoop(intercepting: .objectChunk, onRawFrame: { [self] body throws(TransportError) in
                do throws(WireError) {
                    receive(try ObjectChunkView(body: body), from: info.nodeID)
                } catch {
                    throw .malformed(error)
                }
            }, onMessages: { [self] messages in
                let now = NodeState.monotonicNow()
                perform(state.withLock { state in messages.flatMap { state.handlePeerReply($0, from: info.nodeID, now: now) } })
            }, onClose: { [self] error in
                guard peers.remove(info.nodeID) != nil, !stopped.load(ordering: .acquiring) else { return }
                // Its raylet is gone (the control store will say so too); what it had is lost.
                perform(state.withLock { $0.peerDied(info.nodeID, reason: "its raylet's connection closed (\(error))", now: NodeState.monotonicNow()) })
            })
        }
    }

    private func receive(_ chunk: ObjectChunkView, from node: NodeID) {
        let (start, actions) = state.withLock {
            $0.beginIncoming(chunk.id, size: chunk.totalSize, contained: chunk.contained, from: node, now: NodeState.monotonicNow())
        }
        perform(actions)
        // The object is created, not sealed: only this thread writes it, outside the lock.
        if case let .write(base) = start, chunk.bytes.count > 0 {
            arena.buffer(offset: base + chunk.offset, count: chunk.bytes.count).copyMemory(from: chunk.bytes)
        }
        perform(state.withLock { $0.incomingWritten(chunk.id, count: chunk.bytes.count, now: NodeState.monotonicNow()) })
    }

    /// Tells the control store what this node has free: when it changed, and every
    /// `heartbeatKeepAlive` seconds regardless, so the store knows the node lives.
    private func sendHeartbeats() {
        var last: (available: Resources, queuedTasks: Int)?
        var lastSent = 0.0
        while !stopped.load(ordering: .acquiring) {
            let load = state.withLock { $0.load }
            let now = NodeState.monotonicNow()
            if last == nil || last!.available != load.available || last!.queuedTasks != load.queuedTasks || now - lastSent >= Self.heartbeatKeepAlive {
                try? gcs.send(.heartbeat(nodeID: config.nodeID, available: load.available, queuedTasks: load.queuedTasks))
                last = load
                lastSent = now
            }
            usleep(UInt32(Self.heartbeatInterval * 1_000_000))
        }
    }

    /// Workers that exited before they registered failed to start: the state decides whether to
    /// try again, with the worker's last words as the reason.
    private func reapWorkers() {
        let exits = launcher.reap()
        guard !exits.isEmpty else { return }
        let starting = state.withLock { state in exits.filter { state.isStarting(token: $0.token) } }
        launcher.forget(exits.lazy.map(\.token).filter { token in !starting.contains { $0.token == token } })
        for exit in starting {
            let words = launcher.lastWords(of: exit.token)
            let reason = "\(nodeName): worker pid \(exit.pid) \(exit.status) before it registered" + (words.isEmpty ? "" : "; its last output:\n\(words)")
            log.warning("a worker failed to start: \(reason)")
            perform(state.withLock { $0.workerFailedToStart(token: exit.token, reason: reason, now: NodeState.monotonicNow()) })
        }
    }

    private func maintain() {
        while !stopped.load(ordering: .acquiring) {
            let now = NodeState.monotonicNow()
            let (actions, nextDeadline) = state.withLock { state in
                (state.tick(now: now, idleTimeout: config.idleWorkerTimeout), state.nextWaitDeadline)
            }
            perform(actions)
            reapWorkers()
            let sleepFor = min(0.1, max(0.001, (nextDeadline ?? .infinity) - NodeState.monotonicNow()))
            usleep(UInt32(sleepFor * 1_000_000))
        }
    }
}
