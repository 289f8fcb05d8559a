import Glibc
import RayCore
import RayObjectStore
import RayTransport

/// Everything a raylet knows, and how it changes on each message: clients, the object table,
/// the scheduler, workers and waiters. Called under the raylet's lock; returns the I/O to do.
struct NodeState {
    let nodeID: NodeID
    let arena: SharedMemoryArena
    var objects: ObjectTable
    var scheduler: TaskScheduler
    var clients: [Int: NodeClient] = [:]
    var pool: WorkerPool
    var waiters = WaiterTable()
    /// The task that creates each return object: what reconstruction replays.
    var lineage: [TaskID: TaskSpec] = [:]
    /// Error objects that a full store had no room for, kept here so that their waiters see the
    /// error rather than nothing; each goes with its last holder.
    private(set) var outsideObjects: [ObjectID: [UInt8]] = [:]
    /// Objects the store evicted; a later issue rebuilds them from `lineage`.
    var evicted: Set<ObjectID> = []
    var actors = ActorDirectory()
    /// Actors this node's clients created on other nodes, by the node that hosts each.
    var remoteActors: [TaskID: NodeID] = [:]
    /// The other nodes, for spillback; empty on a node of a private single-machine cluster.
    var cluster = ClusterView()
    var remote = RemoteObjects()
    /// Tasks this node forwarded to another, until it answers.
    var forwarded: [TaskID: (spec: TaskSpec, node: NodeID)] = [:]
    /// Tasks other nodes forwarded here, by the client ID of the forwarding node's connection.
    var peerTasks: [TaskID: Int] = [:]
    /// Objects whose last holder here let go while this node knew of objects elsewhere: their
    /// places are forgotten, and holds on other nodes released, when the message being handled
    /// is done (`objectUnreferenced`).
    var unreferencedRemotely: [ObjectID] = []
    /// The time of the event being handled (monotonic seconds): every entry point is given it,
    /// so tests control the clock.
    var now: Double = 0
    /// How many bytes of unreferenced objects the store keeps before evicting them.
    private let cacheBudget: Int
    /// How many unreferenced objects the store keeps: millions of tiny results would make every
    /// table lookup a cache miss.
    static let cachedObjectLimit = 4096

    init(nodeID: NodeID, arena: SharedMemoryArena, resources: Resources, maxWorkers: Int = 256) {
        self.nodeID = nodeID
        self.arena = arena
        objects = ObjectTable(capacity: arena.capacity)
        scheduler = TaskScheduler(total: resources)
        pool = WorkerPool(maxWorkers: maxWorkers)
        cacheBudget = min(arena.capacity / 16, 256 << 20)
    }

    // MARK: Clients

    mutating func connect(_ id: Int) {
        clients[id] = NodeClient()
    }

    /// Records who the client is. Returns an error message when it cannot be accepted.
    mutating func register(_ id: Int, _ registration: ClientRegistration) -> String? {
        guard registration.protocolVersion == ClientRegistration.protocolVersion else {
            return "protocol version \(registration.protocolVersion) is not \(ClientRegistration.protocolVersion)"
        }
        clients[id]?.registration = registration
        switch registration.kind {
        case .driver:
            pool.addJob(registration.jobID, executable: registration.executablePath)
            return nil
        case .worker:
            // Only a process this raylet started may take tasks, and only once.
            guard pool.register(token: registration.workerToken, job: registration.jobID) else {
                return "worker token \(registration.workerToken) was not issued for job \(registration.jobID) by this raylet"
            }
            return nil
        }
    }

    /// The client has its answer to the registration (the store's descriptor, then `registered`):
    /// only now may anything else be sent to it, so only now does a worker join the pool.
    mutating func registrationAnswered(_ id: Int, now: Double) -> [NodeAction] {
        self.now = now
        guard clients[id]?.isWorker == true else { return [] }
        var actions = [NodeAction]()
        workerBecameIdle(id, actions: &actions)
        // Ready tasks may queue behind the task it took.
        dispatch(actions: &actions)
        return actions
    }

    /// A connection closed: drop its references; a worker's running task fails; a driver's job ends.
    mutating func disconnect(_ id: Int, now: Double) -> [NodeAction] {
        self.now = now
        guard let client = clients.removeValue(forKey: id) else { return [] }
        var actions = [NodeAction]()
        for (object, count) in client.references {
            for _ in 0..<count { _ = objects.removeReference(object) }
            dropOutsideObjectIfUnreferenced(object)
            actors.holdDropped(object)
        }
        for key in waiters.keys(of: id) { waiters.remove(key) }
        if client.peerNode != nil {
            peerClientGone(id)
            dispatch(actions: &actions)
        }
        guard let registration = client.registration else { return actions }
        if registration.kind == .worker {
            pool.removeIdle(id, of: registration.jobID)
            if let actorID = client.actorID {
                actorDied(actorID, pid: registration.pid, message: "the actor's worker process exited or was killed", actions: &actions)
            } else if let running = client.running {
                let spec = running.spec
                let record = ErrorRecord(kind: .workerDied, jobID: spec.jobID, taskID: spec.taskID, functionName: spec.displayName,
                                         workerPID: registration.pid, nodeID: nodeID,
                                         message: "the worker process exited or crashed before the task finished")
                storeErrors(spec.returnIDs, record, actions: &actions)
                releaseArguments(of: spec)
                actions.append(.report(record))
                releaseAllocation(of: running)
                // The tasks queued behind it had not started: they run on another worker. (Their
                // arguments stay pinned by the tasks; the holds the worker got with them went
                // with its references above.)
                for queued in client.queued { scheduler.requeue(queued) }
            }
        } else {
            let abandoned = scheduler.removeTasks(of: registration.jobID)
            for spec in abandoned { releaseArguments(of: spec) }
            if pool.hasJob(registration.jobID) {
                let (awaiting, idle) = pool.endJob(registration.jobID)
                for (spec, gpuIDs) in awaiting {
                    scheduler.release(spec.resources, gpuIDs: gpuIDs)
                    releaseArguments(of: spec)
                }
                for worker in idle where clients[worker] != nil { actions.append(.stopWorker(client: worker)) }
                for actorID in actors.ended(with: registration.jobID) { killActor(actorID, actions: &actions) }
            }
        }
        dispatch(actions: &actions)
        checkReleasedHandles(actions: &actions)
        return actions
    }

    // MARK: Messages

    mutating func handle(_ message: Message, from id: Int, now: Double) -> [NodeAction] {
        self.now = now
        // Only these two fields are copied out: a copy of the whole client would make every change
        // to its reference counts below copy the counts (copy-on-write).
        guard let registration = clients[id]?.registration else {
            return clients[id]?.peerNode.map { handleFromPeer(message, from: id, node: $0) } ?? []
        }
        var actions = [NodeAction]()
        switch message {
        case let .submitTask(spec):
            submit(spec, by: id, registration: registration, actions: &actions)
        case let .putObject(objectID, payload, contained):
            addReference(objectID, client: id)
            put(objectID, payload: payload, contained: contained, actions: &actions)
        case let .putResult(objectID, payload, contained):
            put(objectID, payload: payload, contained: contained, actions: &actions)
        case let .dropActorHolds(actorID, ids):
            // The actor's holds went with its worker if that is gone.
            if let worker = actors[actorID]?.worker { removeReferences(ids, client: worker) }
        case let .createObject(request, objectID, size):
            addReference(objectID, client: id)
            do {
                let (offset, evictedIDs) = try objects.create(objectID, size: size)
                recordEvicted(evictedIDs)
                evicted.remove(objectID)
                actions.append(.send(client: id, .createReply(request: request, offset: offset, error: nil)))
            } catch {
                removeReference(objectID, client: id)
                actions.append(.send(client: id, .createReply(request: request, offset: 0, error: error.description)))
            }
        case let .sealObject(objectID, contained):
            if (try? objects.seal(objectID, containedIDs: contained)) != nil { objectSealed(objectID, actions: &actions) }
        case let .getObjects(request, ids):
            startWaiter(ObjectWaiter(client: id, request: request, ids: ids, kind: .get), actions: &actions)
        case let .waitObjects(request, ids, numReturns, timeout):
            let deadline = timeout < 0 ? nil : now + Double(timeout) / 1000
            startWaiter(ObjectWaiter(client: id, request: request, ids: ids, kind: .wait(numReturns: numReturns, deadline: deadline)),
                        actions: &actions)
        case let .releaseObjects(ids), let .removeReferences(ids):
            removeReferences(ids, client: id)
        case let .addReferences(ids):
            addReferences(ids, client: id)
        case let .killActor(actorID):
            killActor(actorID, actions: &actions)
        case let .taskDone(taskID, results, error):
            completeTask(taskID, results: results, error: error, worker: id, actions: &actions)
        case let .returnTasks(taskIDs):
            tasksReturned(taskIDs, by: id, actions: &actions)
        case let .cancelRequest(request):
            cancelWaiter(request, of: id, actions: &actions)
        default:
            break
        }
        checkReleasedHandles(actions: &actions)
        return actions
    }

    /// Expires `wait` timeouts and stops workers idle longer than `idleTimeout` seconds.
    mutating func tick(now: Double, idleTimeout: Double) -> [NodeAction] {
        self.now = now
        var actions = [NodeAction]()
        for key in waiters.expired(now: now) { completeWaiter(key, actions: &actions) }
        if !remote.searches.isEmpty { repeatSearches(actions: &actions) }
        let clients = clients
        for worker in pool.expireIdle(now: now, timeout: idleTimeout, idleSince: { clients[$0]?.idleSince })
        where clients[worker] != nil {
            actions.append(.stopWorker(client: worker))
        }
        return actions
    }

    var nextWaitDeadline: Double? {
        waiters.nextDeadline
    }

    // MARK: Tasks

    private mutating func submit(_ spec: TaskSpec, by id: Int, registration: ClientRegistration, actions: inout [NodeAction]) {
        for returnID in spec.returnIDs { addReference(returnID, client: id) }
        if spec.actor?.kind == .method {
            let record = ErrorRecord(kind: .system, jobID: spec.jobID, taskID: spec.taskID, functionName: spec.displayName,
                                     workerPID: registration.pid, nodeID: nodeID,
                                     message: "actor method calls go straight to the actor's worker, not through the raylet")
            storeErrors(spec.returnIDs, record, actions: &actions)
            return
        }
        lineage[spec.taskID] = spec
        if spec.actor?.kind == .creation {
            actors.add(creation: spec)
        }
        if !cluster.isEmpty, let (node, queueIfBusy) = placement(of: spec) {
            for argument in spec.referencedIDs { objects.addReference(argument) }
            return forward(spec, to: node, queueIfBusy: queueIfBusy, actions: &actions)
        }
        if let reason = scheduler.infeasibility(of: spec.resources) {
            let record = ErrorRecord(kind: .infeasible, jobID: spec.jobID, taskID: spec.taskID, functionName: spec.displayName,
                                     workerPID: registration.pid, nodeID: nodeID,
                                     message: clusterInfeasibility(of: spec.resources, localReason: reason))
            storeErrors(spec.returnIDs, record, actions: &actions)
            actions.append(.report(record))
            if actors[spec.taskID] != nil { actors[spec.taskID]!.phase = .dead(cause: record) }
            return
        }
        var missing = Set<ObjectID>()
        for argument in spec.referencedIDs {
            objects.addReference(argument)
            if !isAvailable(argument) { missing.insert(argument) }
        }
        scheduler.submit(spec, missing: missing)
        if !missing.isEmpty && !cluster.isEmpty { requestPulls(missing, actions: &actions) }
        dispatch(actions: &actions)
    }

    /// Starts every task whose arguments are here and whose resources are free.
    mutating func dispatch(actions: inout [NodeAction]) {
        while let (spec, gpuIDs) = scheduler.nextRunnable() {
            guard pool.hasJob(spec.jobID) else {
                scheduler.release(spec.resources, gpuIDs: gpuIDs)
                releaseArguments(of: spec)
                continue
            }
            if let worker = pool.takeIdle(of: spec.jobID) {
                assign(spec, gpuIDs: gpuIDs, to: worker, actions: &actions)
            } else {
                pool.await((spec, gpuIDs))
                startWorkerIfNeeded(for: spec.jobID, actions: &actions)
            }
        }
        if !cluster.isEmpty && scheduler.hasReadyTasks { spillReadyTasks(actions: &actions) }
        queueBehindRunningTasks(actions: &actions)
    }

    /// Starts one more worker for the job while fewer are starting than tasks wait for one.
    private mutating func startWorkerIfNeeded(for jobID: JobID, actions: inout [NodeAction]) {
        guard let (token, executable) = pool.startIfNeeded(for: jobID, running: clients.values.count { $0.isWorker }) else { return }
        actions.append(.spawnWorker(job: jobID, executable: executable, token: token))
    }

    /// Whether the worker started with `token` has not registered yet.
    func isStarting(token: UInt64) -> Bool { pool.isStarting(token: token) }

    /// A worker could not be started, or exited before it registered: another is started, up
    /// to `WorkerPool.startAttempts` in a row; then the job's tasks waiting for a worker fail
    /// with `reason`, so nothing waits for a worker that will never come. A token that
    /// registered already is ignored.
    mutating func workerFailedToStart(token: UInt64, reason: String, now: Double) -> [NodeAction] {
        self.now = now
        var actions = [NodeAction]()
        switch pool.failedToStart(token: token) {
        case nil:
            return []
        case let .retry(jobID):
            startWorkerIfNeeded(for: jobID, actions: &actions)
            return actions
        case let .gaveUp(waiting):
            failWaitingForWorker(waiting, reason: reason, actions: &actions)
        }
        dispatch(actions: &actions)
        return actions
    }

    private mutating func failWaitingForWorker(_ waiting: [WorkerPool.Assignment], reason: String, actions: inout [NodeAction]) {
        for (spec, gpuIDs) in waiting {
            let record = ErrorRecord(kind: .system, jobID: spec.jobID, taskID: spec.taskID, functionName: spec.displayName,
                                     workerPID: 0, nodeID: nodeID,
                                     message: "no worker process could be started for the task (\(WorkerPool.startAttempts) tries); the last: \(reason)")
            scheduler.release(spec.resources, gpuIDs: gpuIDs)
            releaseArguments(of: spec)
            storeErrors(spec.returnIDs, record, actions: &actions)
            if actors[spec.taskID] != nil { actors[spec.taskID]!.phase = .dead(cause: record) }
            actions.append(.report(record))
        }
    }

    /// Tasks that wait only for resources are sent to a worker running a task of the same shape,
    /// to start on its resources when that task finishes: the worker goes from one task to the
    /// next with no round trip to the raylet in between. Runs after every dispatch, so it looks
    /// only at the few workers, and at the head of the one ready queue matching each.
    private mutating func queueBehindRunningTasks(actions: inout [NodeAction]) {
        guard scheduler.hasReadyTasks else { return }
        for id in Array(clients.keys) {
            guard let client = clients[id], client.actorID == nil, client.pendingWaits == 0, client.queued.count < Self.queueDepth,
                  let running = client.running, !running.lentCPUs,
                  let next = scheduler.firstReady(shape: running.spec.resources),
                  // An actor's creation needs a worker of its own, never one that runs other tasks.
                  next.jobID == running.spec.jobID, next.actor == nil else { continue }
            _ = scheduler.takeReady(shape: running.spec.resources)
            clients[id]?.queued.append(next)
            send(next, gpuIDs: running.gpuIDs, toWorker: id, actions: &actions)
        }
    }

    /// How many tasks may wait at a worker behind its running one. Two keep a worker busy while
    /// the raylet, on a loaded machine, is slow to handle its finished task (tasks async +8%
    /// against one, paired runs); tasks left behind a long one are reclaimed when another worker
    /// goes idle.
    static let queueDepth = 2

    private mutating func workerBecameIdle(_ id: Int, actions: inout [NodeAction]) {
        guard let jobID = clients[id]?.registration?.jobID, clients[id]?.actorID == nil else { return }
        if let next = pool.nextAwaiting(of: jobID) {
            assign(next.spec, gpuIDs: next.gpuIDs, to: id, actions: &actions)
        } else {
            clients[id]?.idleSince = now
            pool.addIdle(id, of: jobID)
            reclaimQueuedTasks(of: jobID, actions: &actions)
        }
    }

    /// A worker went idle while tasks of its job wait behind other workers' running tasks: those
    /// workers are asked to give them back (the ones not started yet come back).
    private mutating func reclaimQueuedTasks(of jobID: JobID, actions: inout [NodeAction]) {
        for (id, client) in clients where !client.queued.isEmpty && client.registration?.jobID == jobID {
            actions.append(.send(client: id, .returnTasks(client.queued.map(\.taskID))))
        }
    }

    private mutating func assign(_ spec: TaskSpec, gpuIDs: [Int], to worker: Int, actions: inout [NodeAction]) {
        guard clients[worker] != nil else { return }
        clients[worker]?.running = NodeClient.RunningTask(spec: spec, gpuIDs: gpuIDs)
        clients[worker]?.idleSince = nil
        if spec.actor?.kind == .creation {
            clients[worker]?.actorID = spec.taskID
            actors[spec.taskID]?.worker = worker
            actors[spec.taskID]?.gpuIDs = gpuIDs
        }
        send(spec, gpuIDs: gpuIDs, toWorker: worker, actions: &actions)
    }

    /// Sends a task to a worker, with the locations of its argument objects.
    private mutating func send(_ spec: TaskSpec, gpuIDs: [Int], toWorker worker: Int, actions: inout [NodeAction]) {
        guard clients[worker] != nil else { return }
        var locations = [ObjectLocation]()
        for id in spec.referencedIDs {
            guard let location = location(of: id) else { continue }
            // The worker holds what it reads until it lets go, even past the task (views may escape).
            addReference(id, client: worker)
            locations.append(location)
        }
        actions.append(.send(client: worker, .executeTask(spec, arguments: locations, gpuIDs: gpuIDs)))
    }

    private mutating func completeTask(_ taskID: TaskID, results: [ReturnValue], error: ErrorRecord?, worker: Int,
                                       actions: inout [NodeAction]) {
        guard clients[worker] != nil else { return }
        let actorID = clients[worker]?.actorID
        let running = clients[worker]?.running
        if let actorID {
            // The actor's initializer finished: it keeps its worker and resources until it dies.
            guard running?.spec.taskID == taskID else { return }
            storeResults(results, worker: worker, actions: &actions)
            clients[worker]?.running = nil
            if let error {
                actions.append(.report(error))
                actorDied(actorID, pid: clients[worker]?.registration?.pid ?? 0, message: "", cause: error, actions: &actions)
                actions.append(.stopWorker(client: worker))
            } else {
                actorBecameAlive(actorID, actions: &actions)
            }
            return
        }
        guard let finished = removeAssigned(taskID, from: worker) else { return }
        storeResults(results, worker: worker, actions: &actions)
        if let error { actions.append(.report(error)) }
        releaseArguments(of: finished)
        if clients[worker]?.running == nil { workerBecameIdle(worker, actions: &actions) }
        dispatch(actions: &actions)
    }

    /// Takes one of a worker's assigned tasks (the running one or one queued behind it) off it.
    /// They share the running task's resources and GPUs, which are freed with the last of them.
    /// Which of them the worker actually runs does not matter here: two raylet threads may send
    /// a worker its tasks in either order, and the worker starts whichever comes first.
    private mutating func removeAssigned(_ taskID: TaskID, from worker: Int) -> TaskSpec? {
        guard let running = clients[worker]?.running else { return nil }
        if let position = clients[worker]?.queued.firstIndex(where: { $0.taskID == taskID }) {
            return clients[worker]?.queued.remove(at: position)
        }
        guard running.spec.taskID == taskID else { return nil }
        if let next = clients[worker]?.queued.first {
            clients[worker]?.queued.removeFirst()
            clients[worker]?.running?.spec = next
        } else {
            releaseAllocation(of: running)
            clients[worker]?.running = nil
        }
        return running.spec
    }

    /// A worker gave back tasks queued behind its running one, unstarted: they are ready again.
    private mutating func tasksReturned(_ taskIDs: [TaskID], by worker: Int, actions: inout [NodeAction]) {
        for taskID in taskIDs {
            guard let spec = removeAssigned(taskID, from: worker) else { continue }
            // The worker never read the arguments: drop the holds it was given with the task.
            removeReferences(spec.referencedIDs, client: worker)
            scheduler.requeue(spec)
        }
        if clients[worker] != nil && clients[worker]?.running == nil { workerBecameIdle(worker, actions: &actions) }
        dispatch(actions: &actions)
    }

    private mutating func storeResults(_ results: [ReturnValue], worker: Int, actions: inout [NodeAction]) {
        for result in results {
            switch result {
            case let .inline(id, payload, contained):
                put(id, payload: payload, contained: contained, actions: &actions)
            case let .stored(id):
                // The worker created it; from now on the submitter's hold keeps it.
                removeReference(id, client: worker)
                if objects.isSealed(id) { objectSealed(id, actions: &actions) }
            }
        }
    }

    // MARK: Actors

    private mutating func actorBecameAlive(_ actorID: TaskID, actions: inout [NodeAction]) {
        guard var actor = actors[actorID] else { return }
        actor.phase = .alive
        actors[actorID] = actor
        if objects.referenceCount(ActorTaskInfo.handleObject(of: actorID)) == 0 && !actor.isDetached {
            killActor(actorID, actions: &actions)
        }
    }

    /// Ends an actor: its worker is stopped (its callers see their connections to it close).
    mutating func killActor(_ actorID: TaskID, actions: inout [NodeAction]) {
        if !remoteActors.isEmpty, let node = remoteActors[actorID] {
            return actions.append(.sendToPeer(node, .killActor(actorID)))
        }
        guard let actor = actors[actorID], !actor.isDead else { return }
        if let worker = actor.worker, clients[worker] != nil {
            actions.append(.killWorker(client: worker, pid: clients[worker]?.registration?.pid ?? 0))
            // The disconnect that follows records the death with the running calls.
            let record = ErrorRecord(kind: .workerDied, jobID: actor.creation.jobID, taskID: actorID,
                                     functionName: actor.creation.displayName, workerPID: clients[worker]?.registration?.pid ?? 0,
                                     nodeID: nodeID, message: "the actor was killed")
            actors[actorID]?.phase = .dead(cause: record)
        } else {
            let removed = scheduler.remove(actorID)
            if let removed { releaseArguments(of: removed) }
            let record = ErrorRecord(kind: .workerDied, jobID: actor.creation.jobID, taskID: actorID,
                                     functionName: actor.creation.displayName, workerPID: 0, nodeID: nodeID,
                                     message: "the actor was killed before it started")
            storeErrors(actor.creation.returnIDs, record, actions: &actions)
            actors[actorID]?.phase = .dead(cause: record)
        }
    }

    /// The actor's worker is gone: free what it held; a creation still running fails.
    private mutating func actorDied(_ actorID: TaskID, pid: Int32, message: String, cause: ErrorRecord? = nil,
                                    actions: inout [NodeAction]) {
        guard var actor = actors[actorID] else { return }
        let record = cause ?? ErrorRecord(kind: .workerDied, jobID: actor.creation.jobID, taskID: actorID,
                                          functionName: actor.creation.displayName, workerPID: pid, nodeID: nodeID, message: message)
        if !actor.isDead {
            if case .pending = actor.phase { storeErrors(actor.creation.returnIDs, record, actions: &actions) }
            actor.phase = .dead(cause: record)
            actors[actorID] = actor
            if cause == nil && !message.isEmpty { actions.append(.report(record)) }
        }
        if actor.worker != nil {
            actions.append(.removeActorSocket(actorID))
            actors[actorID]?.worker = nil
            scheduler.release(actor.creation.resources, gpuIDs: actor.gpuIDs)
            releaseArguments(of: actor.creation)
        }
        dispatch(actions: &actions)
    }

    /// The last handle of a non-detached actor went away: the actor ends.
    private mutating func handleReleased(_ id: ObjectID, of actorID: TaskID, actions: inout [NodeAction]) {
        guard objects.referenceCount(id) == 0, let actor = actors[actorID], !actor.isDetached, case .alive = actor.phase else { return }
        killActor(actorID, actions: &actions)
    }

    /// Gives a worker's resources and GPUs back to the node (taking back CPUs it lent first).
    private mutating func releaseAllocation(of running: NodeClient.RunningTask) {
        if running.lentCPUs { scheduler.reclaimCPUs(running.spec.resources.cpus) }
        scheduler.release(running.spec.resources, gpuIDs: running.gpuIDs)
    }

    mutating func releaseArguments(of spec: TaskSpec) {
        for argument in spec.referencedIDs {
            _ = objects.removeReference(argument)
            dropOutsideObjectIfUnreferenced(argument)
            if !remote.isEmpty && objects.referenceCount(argument) == 0 { unreferencedRemotely.append(argument) }
        }
    }

    private mutating func dropOutsideObjectIfUnreferenced(_ id: ObjectID) {
        if !outsideObjects.isEmpty && objects.referenceCount(id) == 0 { outsideObjects[id] = nil }
    }

    // MARK: Objects

    mutating func put(_ id: ObjectID, payload: [UInt8], contained: [ObjectID], actions: inout [NodeAction]) {
        guard !objects.contains(id), outsideObjects.isEmpty || outsideObjects[id] == nil else { return }
        do {
            let (offset, evictedIDs) = try objects.create(id, size: payload.count)
            recordEvicted(evictedIDs)
            evicted.remove(id)
            payload.withUnsafeBytes { arena.buffer(offset: offset, count: payload.count).copyMemory(from: $0) }
            try objects.seal(id, containedIDs: contained)
            objectSealed(id, actions: &actions)
        } catch {
            let record = ErrorRecord(kind: .objectStore, jobID: JobID(0), taskID: id.task, functionName: "",
                                     workerPID: getpid(), nodeID: nodeID, message: "could not store object \(id): \(error)")
            _ = objects.abort(id)
            storeErrors([id], record, actions: &actions)
        }
    }

    /// Makes `ids` error objects, so that whoever waits for them gets `record` instead of hanging:
    /// in the arena, or outside it when even that small object does not fit.
    mutating func storeErrors(_ ids: [ObjectID], _ record: ErrorRecord, actions: inout [NodeAction]) {
        let payload = ObjectPayload.error(record)
        for id in ids where !isAvailable(id) {
            _ = objects.abort(id)
            if let (offset, evictedIDs) = try? objects.create(id, size: payload.count) {
                recordEvicted(evictedIDs)
                payload.withUnsafeBytes { arena.buffer(offset: offset, count: payload.count).copyMemory(from: $0) }
                try? objects.seal(id, containedIDs: [])
            } else {
                outsideObjects[id] = payload
            }
            objectSealed(id, actions: &actions)
        }
    }

    /// Whether the object's bytes are here to read: sealed in the arena, or kept outside it.
    func isAvailable(_ id: ObjectID) -> Bool {
        objects.isSealed(id) || (!outsideObjects.isEmpty && outsideObjects[id] != nil)
    }

    /// Where a reader finds the object's bytes (marking it recently used), if it is available.
    private mutating func location(of id: ObjectID) -> ObjectLocation? {
        if let (offset, size) = objects.lookup(id) {
            objects.touch(id)
            return ObjectLocation(id: id, offset: offset, size: size)
        }
        guard !outsideObjects.isEmpty, let payload = outsideObjects[id] else { return nil }
        return ObjectLocation(id: id, offset: 0, size: payload.count, payload: payload)
    }

    mutating func objectSealed(_ id: ObjectID, actions: inout [NodeAction]) {
        if !peerTasks.isEmpty { returnToPeerIfDone(id.task, actions: &actions) }
        scheduler.objectAvailable(id)
        for key in waiters.objectArrived(id) { completeWaiter(key, actions: &actions) }
        dispatch(actions: &actions)
    }

    /// Drops a task's spec from the lineage once none of its results is referenced: nothing can
    /// ask for them again, so they will never need rebuilding (the lineage stays bounded).
    private mutating func forgetLineageIfUnreachable(_ taskID: TaskID) {
        guard let spec = lineage[taskID], spec.returnIDs.allSatisfy({ objects.referenceCount($0) == 0 }) else { return }
        lineage[taskID] = nil
    }

    /// Remembers evicted objects that something still refers to: those a later issue rebuilds.
    /// The others can never be asked for again.
    mutating func recordEvicted(_ ids: [ObjectID]) {
        for id in ids where objects.referenceCount(id) > 0 { evicted.insert(id) }
        // An evicted object let go of what it contained: holds this node had elsewhere for
        // those may be the last.
        if !ids.isEmpty && remote.holdsRemotely {
            unreferencedRemotely += remote.heldAt.keys.filter { objects.referenceCount($0) == 0 }
        }
    }

    mutating func addReference(_ id: ObjectID, client: Int) {
        addReferences(CollectionOfOne(id), client: client)
    }

    /// The client's counts are changed in place through its index: no lookup of the client per
    /// object, and no copy of its counts.
    mutating func addReferences(_ ids: some Collection<ObjectID>, client: Int) {
        guard let index = clients.index(forKey: client) else { return }
        for id in ids {
            clients.values[index].references[id, default: 0] += 1
            objects.addReference(id)
        }
    }

    mutating func removeReference(_ id: ObjectID, client: Int) {
        removeReferences(CollectionOfOne(id), client: client)
    }

    mutating func removeReferences(_ ids: some Collection<ObjectID>, client: Int) {
        guard let index = clients.index(forKey: client) else { return }
        for id in ids {
            guard let slot = clients.values[index].references.index(forKey: id) else { continue }
            if clients.values[index].references.values[slot] > 1 {
                clients.values[index].references.values[slot] -= 1
            } else {
                clients.values[index].references.remove(at: slot)
            }
            _ = objects.removeReference(id)
            actors.holdDropped(id)
            if objects.referenceCount(id) == 0 {
                forgetLineageIfUnreachable(id.task)
                dropOutsideObjectIfUnreferenced(id)
                if !remote.isEmpty { unreferencedRemotely.append(id) }
            }
        }
    }

    mutating func checkReleasedHandles(actions: inout [NodeAction]) {
        if !unreferencedRemotely.isEmpty {
            for id in unreferencedRemotely where objects.referenceCount(id) == 0 { objectUnreferenced(id, actions: &actions) }
            unreferencedRemotely.removeAll()
        }
        for (handle, actorID) in actors.takeReleased() { handleReleased(handle, of: actorID, actions: &actions) }
        if objects.evictableBytes > cacheBudget || objects.evictableCount > Self.cachedObjectLimit {
            recordEvicted(objects.trimEvictable(to: cacheBudget, count: Self.cachedObjectLimit))
        }
    }

    // MARK: Waiters

    mutating func startWaiter(_ waiter: ObjectWaiter, actions: inout [NodeAction]) {
        let distinct = Set(waiter.ids)
        let missing = distinct.filter { !isAvailable($0) }
        let (key, immediate) = waiters.add(waiter, distinct: distinct.count, missing: missing, now: now)
        guard !immediate else { return completeWaiter(key, actions: &actions) }
        if !cluster.isEmpty { requestPulls(missing, actions: &actions) }
        clients[waiter.client]?.pendingWaits += 1
        if var running = clients[waiter.client]?.running, !running.lentCPUs {
            running.lentCPUs = true
            clients[waiter.client]?.running = running
            scheduler.lendCPUs(running.spec.resources.cpus)
            dispatch(actions: &actions)
        }
    }

    private mutating func completeWaiter(_ key: UInt64, actions: inout [NodeAction]) {
        guard let waiter = waiters.remove(key), clients[waiter.client] != nil else { return }
        switch waiter.kind {
        case .get:
            var locations = [ObjectLocation]()
            locations.reserveCapacity(waiter.ids.count)
            for id in waiter.ids {
                guard let location = location(of: id) else { continue }
                addReference(id, client: waiter.client)
                locations.append(location)
            }
            actions.append(.send(client: waiter.client, .objectsReply(request: waiter.request, locations: locations)))
        case .pull:
            for id in waiter.ids { sendObject(id, to: waiter.client, actions: &actions) }
        case .wait:
            // Every ready object, not only `numReturns`: the client remembers them for later waits.
            let ready = waiter.ids.filter { isAvailable($0) }
            actions.append(.send(client: waiter.client, .waitReply(request: waiter.request, ready: ready)))
        }
        if waiter.pending { resumeAfterWait(waiter.client) }
    }

    /// The client stopped waiting: its waiter goes, and the CPUs it lent while blocked come back.
    private mutating func cancelWaiter(_ request: UInt64, of client: Int, actions: inout [NodeAction]) {
        for key in waiters.keys(of: client) where waiters[key]?.request == request {
            guard let waiter = waiters.remove(key) else { continue }
            if waiter.pending { resumeAfterWait(client) }
        }
    }

    private mutating func resumeAfterWait(_ id: Int) {
        guard var client = clients[id] else { return }
        client.pendingWaits = max(0, client.pendingWaits - 1)
        if client.pendingWaits == 0, var running = client.running, running.lentCPUs {
            running.lentCPUs = false
            client.running = running
            scheduler.reclaimCPUs(running.spec.resources.cpus)
        }
        clients[id] = client
    }

    static func monotonicNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
