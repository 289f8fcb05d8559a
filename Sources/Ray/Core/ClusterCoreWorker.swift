import CRaySupport
import Foundation
import RayCore
import RayObjectStore
import RayTransport
import Synchronization

/// A process's connection to its node's raylet (and, for drivers, to the control store): submits
/// tasks, stores and reads objects in the node's shared memory, and counts this process's holds
/// on objects so the store knows what it may evict.
final class ClusterCoreWorker: CoreWorker, @unchecked Sendable {
    /// Objects up to this size travel inside messages; larger ones are written straight into
    /// shared memory after a `createObject` round trip.
    static let inlineLimit = 64 * 1024

    let jobID: JobID
    let nodeID: NodeID
    let nodeIP: String
    /// What this process proves to other nodes' actors in a multi-node cluster (nil otherwise).
    let clusterToken: ClusterToken?
    let rootContext: SubmissionContext
    let sessionDirectory: String
    /// What this process proves to the session's services and actors when it connects.
    let secret: SessionSecret
    private let raylet: FramedConnection
    private let gcs: FramedConnection?
    private let arena: SharedMemoryArena
    /// A cancelled `get` or `wait` tells the raylet, which drops its waiter.
    private let rayletReplies: PendingReplies
    private let gcsReplies = PendingReplies()
    /// This process's holds, and the held objects it saw sealed (so `wait` can answer without
    /// asking the raylet).
    private let heldObjects = HoldTable()
    private let references: RayletBatcher
    private let smallObjects = SmallObjectCache(maxObjectSize: ClusterCoreWorker.inlineLimit, capacity: 64 << 20)
    private let closed = Atomic<Bool>(false)
    /// Where a worker's runtime receives the tasks the raylet assigns.
    private let onTask: (@Sendable (ClusterCoreWorker, TaskSpec, [ObjectLocation], [Int]) -> Void)?
    private let onDisconnect: (@Sendable () -> Void)?
    /// A worker runs its tasks on its raylet reader thread (nil in a driver).
    let taskExecutor: ReaderThreadExecutor?
    /// A worker's assigned tasks, one running and some queued behind it (nil in a driver).
    let taskQueue: WorkerTaskQueue?
    /// The service processes this driver started, stopped with it.
    private let cluster: LocalCluster?
    /// Where actor method calls go: straight to each actor's worker. Set once, at the end of
    /// `init` (its services call back into this core worker).
    private var actorCalls: ActorCallRouter!

    /// Connects to the raylet at `rayletSocket` (and the control store at `gcs`, if given).
    init(rayletSocket: String, gcs gcsEndpoint: GCSEndpoint?, registration: ClientRegistration, secret: SessionSecret, seed: UInt64?,
         nodeIP: String = "127.0.0.1", clusterToken: ClusterToken? = nil,
         cluster: LocalCluster? = nil,
         onTask: (@Sendable (ClusterCoreWorker, TaskSpec, [ObjectLocation], [Int]) -> Void)? = nil,
         onDisconnect: (@Sendable () -> Void)? = nil) throws {
        self.cluster = cluster
        var registration = registration
        var gcs: FramedConnection?
        if let gcsEndpoint {
            let connection = try gcsEndpoint.connect(secret: secret)
            if registration.kind == .driver {
                try connection.send(.registerJob(request: 0))
                guard case let .jobRegistered(_, jobID) = try connection.receive() else {
                    throw RayError.system("the control store did not answer the job registration")
                }
                registration.jobID = jobID
            }
            gcs = connection
        }
        let raylet = try FramedConnection.connect(path: rayletSocket, secret: secret)
        try raylet.send(.register(registration))
        let descriptor = try raylet.receiveDescriptor()
        guard case let .registered(nodeID, capacity, session) = try raylet.receive() else {
            throw RayError.system("the raylet did not accept the registration")
        }
        arena = try SharedMemoryArena(mapping: descriptor, capacity: capacity)
        self.raylet = raylet
        rayletReplies = PendingReplies { [raylet] request in try? raylet.send(.cancelRequest(request: request)) }
        self.gcs = gcs
        self.nodeID = nodeID
        self.nodeIP = nodeIP
        self.clusterToken = clusterToken
        self.jobID = registration.jobID
        sessionDirectory = session
        self.secret = secret
        self.onTask = onTask
        taskExecutor = onTask == nil ? nil : ReaderThreadExecutor()
        taskQueue = onTask == nil ? nil : WorkerTaskQueue()
        self.onDisconnect = onDisconnect
        rootContext = SubmissionContext(taskID: .driverRoot(job: registration.jobID, seed: seed))
        references = RayletBatcher { [raylet] messages in try? raylet.send(messages) }
        actorCalls = ActorCallRouter(services: ActorCallRouter.Services(
            connect: { [self] actorID in try await connectToActor(actorID) },
            keep: { [self] results in keepActorResults(results) },
            flush: { [self] in try? sendAfterReferences([]) },
            nodeID: nodeID))
        startReaders()
        if let gcs, registration.kind == .driver {
            try gcs.send(.subscribeErrors(jobID))
            // A driver of a multi-node cluster hears when a node dies, as the raylets do.
            if clusterToken != nil { try gcs.send(.subscribeNodes) }
        }
    }

    private func startReaders() {
        FramedConnection.startThread(name: "ray core worker") { [self] in
            taskExecutor?.adoptCurrentThread()
            raylet.readLoop(onMessages: { [self] messages in
                for message in messages {
                    handleRayletMessage(message)
                    taskExecutor?.runPending()
                }
            }, onClose: { [self] _ in
                rayletReplies.failAll(closed.load(ordering: .acquiring) ? .shutDown : Self.lostRayletConnection)
                onDisconnect?()
            })
        }
        if taskExecutor != nil, let onDisconnect {
            // The reader may be busy running a long task; the raylet going away must still end us.
            HangupWatch.start(fd: raylet.fd, onHangup: onDisconnect)
        }
        gcs?.startReading(name: "ray gcs client", onMessage: { [self] message in
            switch message {
            case let .errorNotice(record):
                // After shutdown began, a notice is about the cluster stopping, not the program.
                guard !closed.load(ordering: .acquiring) else { return }
                FileHandle.standardError.write(Data("Remote error: \(TaskError(record))\n".utf8))
            case let .nodeDied(node, reason):
                guard !closed.load(ordering: .acquiring) else { return }
                FileHandle.standardError.write(Data("Ray: node \(node) died: \(reason)\n".utf8))
            case let .errorsReply(request, _), let .nodesReply(request, _), let .actorNameReply(request, _),
                 let .actorLookupReply(request, _), let .actorReply(request, _, _), let .keyValueReply(request, _, _):
                gcsReplies.complete(request, with: message)
            default:
                break
            }
        }, onClose: { [self] _ in
            gcsReplies.failAll(closed.load(ordering: .acquiring) ? .shutDown : .system("lost the connection to the control store"))
        })
    }

    private func handleRayletMessage(_ message: Message) {
        switch message {
        case let .objectsReply(request, locations):
            // Nobody waits for a cancelled get's answer: the pins it brought go back.
            if !rayletReplies.complete(request, with: message) { references.remove(locations.map(\.id)) }
        case let .waitReply(request, _), let .createReply(request, _, _):
            rayletReplies.complete(request, with: message)
        case let .executeTask(spec, arguments, gpuIDs):
            onTask?(self, spec, arguments, gpuIDs)
        case let .returnTasks(taskIDs):
            if let given = taskQueue?.giveBack(taskIDs), !given.isEmpty { try? sendAfterReferences(.returnTasks(given)) }
        case .shutdown:
            onDisconnect?()
        default:
            break
        }
    }

    /// Sends a request and blocks for its answer. On the reader thread (a task storing a large
    /// result) nobody else would read the answer, so this thread reads until it comes.
    private func callRayletBlocking(_ makeRequest: (UInt64) throws -> Void) throws -> Message {
        guard raylet.isReaderThread else { return try rayletReplies.callBlocking(makeRequest) }
        return try rayletReplies.callBlocking(makeRequest) { [self] in handleRayletMessage(try raylet.receive()) }
    }

    // MARK: References

    func hold(_ ids: [ObjectID], countedByNode: Bool) -> ReferenceHolder {
        let (firsts, repeats) = heldObjects.add(ids)
        if !countedByNode && !firsts.isEmpty {
            references.add(firsts)
        } else if countedByNode && !repeats.isEmpty {
            // The node counted a hold we already had: give the extra back.
            references.remove(repeats)
        }
        return ReferenceHolder(ids: ids, owner: self)
    }

    func hold(_ id: ObjectID, countedByNode: Bool) -> ReferenceHolder {
        let first = heldObjects.add(id)
        if !countedByNode && first {
            references.add(id)
        } else if countedByNode && !first {
            references.remove(id)
        }
        return ReferenceHolder(id: id, owner: self)
    }

    func releaseHolds(_ ids: [ObjectID]) {
        let lasts = heldObjects.release(ids)
        guard !lasts.isEmpty else { return }
        smallObjects.remove(lasts)
        if !closed.load(ordering: .acquiring) { references.remove(lasts) }
    }

    func releaseHold(_ id: ObjectID) {
        guard heldObjects.release(id) else { return }
        smallObjects.remove(id)
        if !closed.load(ordering: .acquiring) { references.remove(id) }
    }

    // MARK: Tasks and objects

    func submit(_ spec: TaskSpec) throws {
        try checkOpen()
        try sendAfterReferences(.submitTask(spec))
    }

    func callActor(_ spec: TaskSpec, keepingAlive argumentObjects: [ObjectID]) throws -> ReferenceHolder {
        try checkOpen()
        // The raylet learns of the results only when they arrive, so it counts this hold now.
        let holder = hold(spec.returnIDs, countedByNode: false)
        actorCalls.call(spec, keepingAlive: argumentObjects.isEmpty ? nil : hold(argumentObjects, countedByNode: false))
        return holder
    }

    /// Waits until the actor can take calls (its creation finished) and connects to it.
    private func connectToActor(_ actorID: TaskID) async throws -> FramedConnection {
        let handleObject = ActorTaskInfo.handleObject(of: actorID)
        // Not `get`: no task of this process is blocked by this wait, so none hands work back.
        var created = cached([handleObject])
        // A handle found by name, or passed from another node, may stand for an actor whose
        // handle object this node never sees: the control store knows where it listens.
        // Until one of the two says where it is (a named actor may be looked up before it runs).
        if created == nil, let clusterToken, let gcs {
            while true {
                if let (node, address) = try await actorAddress(actorID, gcs: gcs) {
                    if node != nodeID { return try FramedConnection.connect(to: try NetworkAddress(parsing: address), token: clusterToken) }
                    break
                }
                if try await !wait([handleObject], numReturns: 1, timeout: .milliseconds(100)).isEmpty { break }
            }
        }
        if created == nil { created = try await getFromRaylet([handleObject], blockingTheTask: false) }
        guard let buffer = created?.first else { throw RayError.system("the actor's handle object did not arrive") }
        if let record = ObjectCodec.error(in: buffer) { throw RayError.system(record.message) }
        let address = try ObjectCodec.decode(ActorAddress.self, from: buffer)
        if address.node != nodeID.value, !address.tcp.isEmpty, let clusterToken {
            return try FramedConnection.connect(to: try NetworkAddress(parsing: address.tcp), token: clusterToken)
        }
        return try FramedConnection.connect(path: SessionLayout(directory: sessionDirectory).actorSocket(actorID), secret: secret)
    }

    /// Where the control store says the actor takes calls, if it knows.
    private func actorAddress(_ actorID: TaskID, gcs: FramedConnection) async throws -> (NodeID, String)? {
        let reply = try await gcsReplies.call { request in try gcs.send(.getActor(request: request, actorID: actorID)) }
        guard case let .actorReply(_, node?, address) = reply, !address.isEmpty else { return nil }
        return (node, address)
    }

    /// Tells the control store where an actor this worker hosts takes calls from other nodes.
    func registerActorAddress(_ actorID: TaskID, _ address: ActorAddress) {
        try? gcs?.send(.registerActor(actorID: actorID, nodeID: NodeID(address.node), address: address.tcp))
    }

    /// Results that came straight from an actor: cached here (a `get` needs no round trip), and
    /// queued for the node's store, where anyone else who asks finds them.
    private func keepActorResults(_ results: [(actorID: TaskID, values: [ReturnValue])]) {
        // A result whose refs are all gone already is only stored, not cached.
        let held = heldObjects.markReady(results.flatMap { $0.values.map(\.id) })
        var messages = [Message]()
        for (actorID, values) in results {
            var stored = [ObjectID]()
            for value in values {
                switch value {
                case let .inline(id, payload, contained):
                    if held.contains(id) { smallObjects.insert(id, payload) }
                    messages.append(.putResult(id: id, payload: payload, contained: contained))
                case let .stored(id):
                    stored.append(id)
                }
            }
            if !stored.isEmpty { messages.append(.dropActorHolds(actorID: actorID, ids: stored)) }
        }
        references.store(messages)
    }

    /// Reports a failure to the control store, which tells the job's driver.
    func report(_ record: ErrorRecord) {
        try? gcs?.send(.reportError(record))
    }

    func store(_ id: ObjectID, _ payload: PayloadWriter) throws {
        try checkOpen()
        if payload.size <= Self.inlineLimit {
            let bytes = payload.bytes
            try sendAfterReferences(.putObject(id: id, payload: bytes, contained: payload.contained))
            smallObjects.insert(id, bytes)
            return
        }
        let reply = try callRayletBlocking { request in
            try sendAfterReferences(.createObject(request: request, id: id, size: payload.size))
        }
        guard case let .createReply(_, offset, error) = reply else { throw RayError.system("unexpected reply to createObject") }
        if let error { throw RayError.objectStore(error) }
        payload.write(arena.buffer(offset: offset, count: payload.size))
        try sendToRaylet([.sealObject(id: id, contained: payload.contained)])
    }

    func get(_ ids: [ObjectID]) async throws -> [ObjectBuffer] {
        try checkOpen()
        if let buffers = cached(ids) { return buffers }
        try Task.checkCancellation()
        // Results on their way from an actor arrive here first. A worker's task does not park
        // for them: it asks the raylet, which lends its CPUs meanwhile and gets the results too.
        if actorCalls.awaitsAny(of: ids), await actorCalls.awaitArrival(of: ids, pollingFor: pollBudget, park: taskQueue == nil),
           let buffers = cached(ids) {
            return buffers
        }
        return try await getFromRaylet(ids, blockingTheTask: true)
    }

    /// The objects from this process's cache of small objects, if all of them are there.
    private func cached(_ ids: [ObjectID]) -> [ObjectBuffer]? {
        smallObjects.lookup(ids).map { payloads in zip(ids, payloads).map { ObjectBuffer(id: $0, copying: $1) } }
    }

    /// Asks the raylet for the objects; `blockingTheTask` when the running task waits for them
    /// (see `callWhileBlocked`).
    private func getFromRaylet(_ ids: [ObjectID], blockingTheTask: Bool) async throws -> [ObjectBuffer] {
        let reply = if blockingTheTask {
            try await callWhileBlocked { request in .getObjects(request: request, ids: ids) }
        } else {
            try await rayletReplies.call { request in try sendAfterReferences(.getObjects(request: request, ids: ids)) }
        }
        guard case let .objectsReply(_, locations) = reply, locations.count == ids.count else {
            throw RayError.system("the raylet answered a get with the wrong objects")
        }
        for location in locations where location.size <= smallObjects.maxObjectSize {
            smallObjects.insert(location.id, location.payload ?? Array(UnsafeRawBufferPointer(arena.buffer(offset: location.offset, count: location.size))))
        }
        return locations.map { buffer(at: $0) }
    }

    /// A buffer over the object in this process's mapping; the node pinned it for us. The buffer
    /// keeps this core worker (and the mapping) alive. A weak reference would give the core
    /// worker a side table, which turns every retain and release of it (one per ref decoded)
    /// into the runtime's slow path.
    func buffer(at location: ObjectLocation) -> ObjectBuffer {
        let release: @Sendable () -> Void = { [self] in
            guard !closed.load(ordering: .acquiring) else { return }
            references.remove(location.id)
        }
        if let payload = location.payload { return ObjectBuffer(id: location.id, copying: payload, onRelease: release) }
        return ObjectBuffer(id: location.id, bytes: UnsafeRawBufferPointer(arena.buffer(offset: location.offset, count: location.size)),
                            onRelease: release)
    }

    func wait(_ ids: [ObjectID], numReturns: Int, timeout: Duration?) async throws -> [ObjectID] {
        try checkOpen()
        let locallyReady = heldObjects.ready(among: ids, limit: numReturns)
        if locallyReady.count >= numReturns { return locallyReady }
        if actorCalls.awaitsAny(of: ids) { actorCalls.storeOnArrival(ids) }
        let milliseconds = timeout.map { Int64($0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000) } ?? -1
        let reply = try await callWhileBlocked { request in
            .waitObjects(request: request, ids: ids, numReturns: numReturns, timeoutMilliseconds: milliseconds)
        }
        guard case let .waitReply(_, ready) = reply else { throw RayError.system("unexpected reply to wait") }
        // The raylet names every requested object that is ready; later waits use that.
        heldObjects.markReady(ready)
        return Array(ready.prefix(numReturns))
    }

    /// Sends a `get` or `wait` request and awaits the answer. In a worker the running task is
    /// blocked meanwhile, so the tasks queued behind it go back to the raylet first.
    private func callWhileBlocked(_ makeRequest: (UInt64) -> Message) async throws -> Message {
        let returned = taskQueue?.blocking() ?? []
        defer { taskQueue?.unblocked() }
        return try await rayletReplies.call(pollingFor: pollBudget) { request in
            let message = makeRequest(request)
            try sendAfterReferences(returned.isEmpty ? [message] : [.returnTasks(returned), message])
        }
    }

    /// How long `get` and `wait` poll for an answer before suspending. A reader thread must not
    /// poll: it may be the thread that delivers the answer.
    private var pollBudget: UInt64 { cray_is_reader_thread() == 0 ? BusyPoll.process.budget : 0 }

    /// Sends `messages` after any pending reference changes and stores, in one write.
    private func sendAfterReferences(_ messages: [Message]) throws {
        let pending = references.drain()
        let all = pending.isEmpty ? messages : pending + messages
        if !all.isEmpty { try sendToRaylet(all) }
    }

    /// A send to the raylet that fails says so the way a `get` does, not with the socket's errno.
    private func sendToRaylet(_ messages: [Message]) throws {
        do {
            try messages.count == 1 ? raylet.send(messages[0]) : raylet.send(messages)
        } catch {
            throw closed.load(ordering: .acquiring) ? RayError.shutDown : Self.lostRayletConnection
        }
    }

    static let lostRayletConnection = RayError.system("lost the connection to the raylet")

    private func sendAfterReferences(_ message: Message) throws {
        try sendAfterReferences([message])
    }

    func nodes() async throws -> [NodeStatus] {
        guard let gcs else { return [] }
        let reply = try await gcsReplies.call { request in try gcs.send(.getNodes(request: request)) }
        guard case let .nodesReply(_, nodes) = reply else { throw RayError.system("unexpected reply to getNodes") }
        return nodes
    }

    func errors() async throws -> [ErrorRecord] {
        guard let gcs else { return [] }
        let reply = try await gcsReplies.call { request in
            try gcs.send(.getErrors(request: request, jobID: jobID))
        }
        guard case let .errorsReply(_, errors) = reply else { throw RayError.system("unexpected reply to getErrors") }
        return errors
    }

    var serviceProcessIDs: [Int32] { cluster?.processIDs ?? [] }

    func setKeyValue(_ value: [UInt8]?, forKey key: String) async throws {
        guard let gcs else { throw RayError.system("the key-value table needs the control store, which this process is not connected to") }
        let reply = try await gcsReplies.call { request in try gcs.send(.putKeyValue(request: request, key: key, value: value)) }
        guard case let .keyValueReply(_, _, error) = reply else { throw RayError.system("unexpected reply to putKeyValue") }
        if let error { throw RayError.invalidArgument(error) }
    }

    func keyValue(forKey key: String) async throws -> [UInt8]? {
        guard let gcs else { throw RayError.system("the key-value table needs the control store, which this process is not connected to") }
        let reply = try await gcsReplies.call { request in try gcs.send(.getKeyValue(request: request, key: key)) }
        guard case let .keyValueReply(_, value, _) = reply else { throw RayError.system("unexpected reply to getKeyValue") }
        return value
    }

    func registerActorName(_ name: String, actorID: TaskID) async throws {
        guard let gcs else { throw RayError.system("named actors need the control store, which this process is not connected to") }
        let reply = try await gcsReplies.call { request in
            try gcs.send(.registerActorName(request: request, name: name, actorID: actorID))
        }
        guard case let .actorNameReply(_, error) = reply else { throw RayError.system("unexpected reply to registerActorName") }
        if let error { throw RayError.invalidArgument(error) }
    }

    func lookupActorName(_ name: String) async throws -> TaskID? {
        guard let gcs else { throw RayError.system("named actors need the control store, which this process is not connected to") }
        let reply = try await gcsReplies.call { request in
            try gcs.send(.lookupActorName(request: request, name: name))
        }
        guard case let .actorLookupReply(_, actorID) = reply else { throw RayError.system("unexpected reply to lookupActorName") }
        return actorID
    }

    func killActor(_ actorID: TaskID) throws {
        try checkOpen()
        try sendAfterReferences(.killActor(actorID))
    }

    func isInObjectStore(_ pointer: UnsafeRawPointer) -> Bool { arena.contains(pointer) }

    /// Sends a message to the raylet (the worker runtime reports finished tasks this way), after
    /// the reference changes the task made: holds it took on refs it decoded must be counted
    /// before its caller, told the task is done, lets go of the objects that contained them.
    func send(_ message: Message) throws { try sendAfterReferences(message) }

    /// Sends the holds this process took and has not told the raylet about, if any: before an
    /// answer that lets another process drop the objects that contained the refs.
    func sendPendingHolds() {
        if references.hasPendingAdditions { try? sendAfterReferences([]) }
    }

    func shutdown() async {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if cluster != nil { try? raylet.send(.shutdown) }
        raylet.close()
        gcs?.close()
        rayletReplies.failAll(.shutDown)
        gcsReplies.failAll(.shutDown)
        actorCalls.close()
        cluster?.stop()
    }

    private func checkOpen() throws {
        if closed.load(ordering: .acquiring) { throw RayError.shutDown }
    }
}
