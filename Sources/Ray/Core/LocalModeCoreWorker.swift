import Foundation
import Glibc
import RayCore
import Synchronization

/// Local mode (the seed's PYTHON_MODE): the same API with every task run inside the driver
/// process, one at a time in submission order, objects kept on the heap. For debugging: a
/// breakpoint in a remote function is hit in the driver. A task blocked in `get` gives up the
/// execution slot so the tasks it waits for can run.
final class LocalModeCoreWorker: CoreWorker, @unchecked Sendable {
    @TaskLocal private static var holdsSlot = false

    let jobID = JobID(1)
    let nodeID = NodeID(1)
    let nodeIP = "127.0.0.1"
    let rootContext: SubmissionContext
    let sessionDirectory = ""
    let serviceProcessIDs: [Int32] = []
    private let resources: Resources
    private let slot = SerialSlot()
    /// Where each actor's tasks queue, in submission order (see `runActorTask`).
    private let actorFeeds = Mutex<[TaskID: AsyncStream<TaskSpec>.Continuation]>([:])
    private let state = Mutex<(objects: [ObjectID: [UInt8]], waiters: [ObjectID: [CheckedContinuation<Void, Never>]],
                               errors: [ErrorRecord], names: [String: TaskID], keyValues: [String: [UInt8]], closed: Bool)>(
        ([:], [:], [], [:], [:], false))

    init(resources: Resources, seed: UInt64?) {
        self.resources = resources
        rootContext = SubmissionContext(taskID: .driverRoot(job: JobID(1), seed: seed))
    }

    func hold(_ ids: [ObjectID], countedByNode: Bool) -> ReferenceHolder { ReferenceHolder(ids: ids, owner: self) }
    func hold(_ id: ObjectID, countedByNode: Bool) -> ReferenceHolder { ReferenceHolder(id: id, owner: self) }
    func releaseHolds(_ ids: [ObjectID]) {}
    func releaseHold(_ id: ObjectID) {}

    func callActor(_ spec: TaskSpec, keepingAlive argumentObjects: [ObjectID]) throws -> ReferenceHolder {
        try submit(spec)
        return hold(spec.returnIDs, countedByNode: true)
    }

    func submit(_ spec: TaskSpec) throws {
        try checkOpen()
        if let reason = infeasibility(of: spec.resources) {
            let record = ErrorRecord(kind: .infeasible, jobID: jobID, taskID: spec.taskID, functionName: spec.displayName,
                                     workerPID: getpid(), nodeID: nodeID, message: reason)
            report(record)
            for id in spec.returnIDs { put(id, ObjectPayload.error(record)) }
            return
        }
        if spec.actor != nil {
            runActorTask(spec)
            return
        }
        Task.detached { [self] in
            await slot.acquire()
            await LocalModeCoreWorker.$holdsSlot.withValue(true) {
                let sources = await resolveArguments(of: spec)
                let outcome = await TaskRunner.run(spec, arguments: sources, nodeID: nodeID, gpuIDs: [])
                // Reported before the results appear, so a caller woken by them sees it in errorInfo().
                if let error = outcome.error { report(error) }
                for (id, payload) in outcome.returns { put(id, payload.bytes) }
            }
            await slot.release()
        }
    }

    private func resolveArguments(of spec: TaskSpec) async -> [TaskArguments.Source] {
        var sources = [TaskArguments.Source]()
        for argument in spec.arguments {
            switch argument {
            case let .value(bytes): sources.append(.encoded(bytes))
            case let .reference(id): sources.append(.object((try? await get([id]))?.first ?? ObjectBuffer(id: id, copying: [])))
            }
        }
        return sources
    }

    /// Actors live in the driver too: each actor's tasks go, in the order they were submitted,
    /// to one feeder of its own, which hands them to the in-process host.
    private func runActorTask(_ spec: TaskSpec) {
        guard let actor = spec.actor else { return }
        let actorID = actor.kind == .creation ? spec.taskID : actor.actorID
        let feed = actorFeeds.withLock { feeds in
            if let feed = feeds[actorID] { return feed }
            let (specs, feed) = AsyncStream<TaskSpec>.makeStream()
            feeds[actorID] = feed
            Task.detached { [self] in await feedActor(specs) }
            return feed
        }
        feed.yield(spec)
    }

    /// Hands an actor's tasks to the host one after another, each once its arguments are here;
    /// the first method call goes only after the initializer finished, as the host needs the actor.
    private func feedActor(_ specs: AsyncStream<TaskSpec>) async {
        for await spec in specs {
            let sources = await resolveArguments(of: spec)
            let isCreation = spec.actor?.kind == .creation
            await withCheckedContinuation { (handedOver: CheckedContinuation<Void, Never>) in
                ActorHost.shared.enqueue(ActorHost.Job(spec: spec, arguments: sources, nodeID: nodeID, gpuIDs: []) { [self] outcome in
                    if let error = outcome.error { report(error) }
                    for (id, payload) in outcome.returns { put(id, payload.bytes) }
                    if isCreation { handedOver.resume() }
                }, executor: nil)
                if !isCreation { handedOver.resume() }
            }
        }
    }

    func registerActorName(_ name: String, actorID: TaskID) async throws {
        try state.withLock { state in
            if let existing = state.names[name], existing != actorID {
                throw RayError.invalidArgument("an actor named \"\(name)\" already exists")
            }
            state.names[name] = actorID
        }
    }

    func lookupActorName(_ name: String) async throws -> TaskID? { state.withLock { $0.names[name] } }

    func setKeyValue(_ value: [UInt8]?, forKey key: String) async throws {
        state.withLock { $0.keyValues[key] = value }
    }

    func keyValue(forKey key: String) async throws -> [UInt8]? { state.withLock { $0.keyValues[key] } }

    func killActor(_ actorID: TaskID) throws {
        throw RayError.invalidArgument("killing actors is not available in local mode")
    }

    func store(_ id: ObjectID, _ payload: PayloadWriter) throws {
        try checkOpen()
        put(id, payload.bytes)
    }

    func get(_ ids: [ObjectID]) async throws -> [ObjectBuffer] {
        try checkOpen()
        let missing = state.withLock { state in ids.filter { state.objects[$0] == nil } }
        if !missing.isEmpty {
            try await whileBlocked {
                for id in missing { await arrival(of: id) }
            }
        }
        return try state.withLock { state in
            if state.closed { throw RayError.shutDown }
            return ids.map { ObjectBuffer(id: $0, copying: state.objects[$0]!) }
        }
    }

    func wait(_ ids: [ObjectID], numReturns: Int, timeout: Duration?) async throws -> [ObjectID] {
        let deadline = timeout.map { ContinuousClock.now + $0 }
        return try await whileBlocked {
            while true {
                let ready = state.withLock { state in ids.filter { state.objects[$0] != nil } }
                if ready.count >= numReturns || (deadline.map { ContinuousClock.now >= $0 } ?? false) {
                    return Array(ready.prefix(numReturns))
                }
                try await Task.sleep(for: .milliseconds(1))
            }
        }
    }

    func errors() async throws -> [ErrorRecord] { state.withLock { $0.errors } }
    func nodes() async throws -> [NodeStatus] {
        [NodeStatus(info: NodeInfo(nodeID: nodeID, rayletAddress: "", resources: resources, storeCapacity: 0, sessionDirectory: ""),
                    isAlive: true, available: resources, queuedTasks: 0)]
    }
    func isInObjectStore(_ pointer: UnsafeRawPointer) -> Bool { false }

    func shutdown() async {
        let waiters = state.withLock { state in
            state.closed = true
            defer { state.waiters = [:] }
            return state.waiters.values.flatMap { $0 }
        }
        for waiter in waiters { waiter.resume() }
        for feed in actorFeeds.withLock({ feeds in defer { feeds = [:] }; return Array(feeds.values) }) { feed.finish() }
    }

    /// Runs `body` without the execution slot when called from a task, so other tasks can run.
    private func whileBlocked<R>(_ body: () async throws -> R) async throws -> R {
        guard Self.holdsSlot else { return try await body() }
        await slot.release()
        do {
            let result = try await body()
            await slot.acquire()
            return result
        } catch {
            await slot.acquire()
            throw error
        }
    }

    private func arrival(of id: ObjectID) async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if state.objects[id] != nil || state.closed { return true }
                state.waiters[id, default: []].append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    private func put(_ id: ObjectID, _ bytes: [UInt8]) {
        let waiters = state.withLock { state in
            state.objects[id] = bytes
            return state.waiters.removeValue(forKey: id) ?? []
        }
        for waiter in waiters { waiter.resume() }
    }

    private func report(_ record: ErrorRecord) {
        state.withLock { $0.errors.append(record) }
        FileHandle.standardError.write(Data("Remote error: \(TaskError(record))\n".utf8))
    }

    private func infeasibility(of request: Resources) -> String? {
        resources.covers(request) ? nil : "it asks for \(request) but the cluster has \(resources)"
    }

    private func checkOpen() throws {
        if state.withLock({ $0.closed }) { throw RayError.shutDown }
    }
}
