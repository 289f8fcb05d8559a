import Glibc
import RayCore
import RayObjectStore
import RayTransport

/// Everything a raylet knows, and how it changes on each message: clients, the object table,
/// the scheduler, workers and waiters. Called under the raylet's lock; returns the I/O to do.
struct NodeState {
    struct Job {
        var executable: String
        /// Tasks that hold their resources and wait for a worker of this job to start.
        var awaitingWorker = FIFOQueue<(spec: TaskSpec, gpuIDs: [Int])>()
        var startingWorkers = 0
        var idleWorkers: [Int] = []
    }

    let nodeID: NodeID
    let arena: SharedMemoryArena
    private(set) var objects: ObjectTable
    private(set) var scheduler: TaskScheduler
    private(set) var clients: [Int: NodeClient] = [:]
    private(set) var jobs: [JobID: Job] = [:]
    private var waiters: [UInt64: ObjectWaiter] = [:]
    private var waitersByObject: [ObjectID: [UInt64]] = [:]
    private var nextWaiter: UInt64 = 0
    /// The task that creates each return object: what reconstruction replays.
    private(set) var lineage: [TaskID: TaskSpec] = [:]
    /// Objects the store evicted; a later issue rebuilds them from `lineage`.
    private(set) var evicted: Set<ObjectID> = []
    private let maxWorkers: Int

    init(nodeID: NodeID, arena: SharedMemoryArena, resources: Resources, maxWorkers: Int = 256) {
        self.nodeID = nodeID
        self.arena = arena
        objects = ObjectTable(capacity: arena.capacity)
        scheduler = TaskScheduler(total: resources)
        self.maxWorkers = maxWorkers
    }

    // MARK: Clients

    mutating func connect(_ id: Int, connection: FramedConnection) {
        clients[id] = NodeClient(connection: connection)
    }

    /// Records who the client is. Returns an error message when it cannot be accepted.
    mutating func register(_ id: Int, _ registration: ClientRegistration) -> (error: String?, actions: [NodeAction]) {
        guard registration.protocolVersion == ClientRegistration.protocolVersion else {
            return ("protocol version \(registration.protocolVersion) is not \(ClientRegistration.protocolVersion)", [])
        }
        clients[id]?.registration = registration
        switch registration.kind {
        case .driver:
            if jobs[registration.jobID] == nil { jobs[registration.jobID] = Job(executable: registration.executablePath) }
            return (nil, [])
        case .worker:
            guard jobs[registration.jobID] != nil else { return ("no driver registered job \(registration.jobID)", []) }
            jobs[registration.jobID]!.startingWorkers = max(0, jobs[registration.jobID]!.startingWorkers - 1)
            var actions = [NodeAction]()
            workerBecameIdle(id, actions: &actions)
            return (nil, actions)
        }
    }

    /// A connection closed: drop its references; a worker's running task fails; a driver's job ends.
    mutating func disconnect(_ id: Int, now: Double) -> [NodeAction] {
        guard let client = clients.removeValue(forKey: id) else { return [] }
        var actions = [NodeAction]()
        for (object, count) in client.references {
            for _ in 0..<count { _ = objects.removeReference(object) }
        }
        for (key, waiter) in waiters where waiter.client == id { removeWaiter(key, ids: waiter.ids) }
        guard let registration = client.registration else { return actions }
        if registration.kind == .worker {
            jobs[registration.jobID]?.idleWorkers.removeAll { $0 == id }
            if let running = client.running {
                let record = ErrorRecord(kind: .workerDied, jobID: running.spec.jobID, taskID: running.spec.taskID,
                                         functionName: running.spec.displayName, workerPID: registration.pid, nodeID: nodeID,
                                         message: "the worker process exited or crashed before the task finished")
                storeErrors(running.spec.returnIDs, record, actions: &actions)
                finishTask(running, clientPID: registration.pid, actions: &actions)
                actions.append(.report(record))
            }
        } else {
            let abandoned = scheduler.removeTasks(of: registration.jobID)
            for spec in abandoned { releaseArguments(of: spec) }
            if var job = jobs[registration.jobID] {
                while let assignment = job.awaitingWorker.pop() {
                    scheduler.release(assignment.spec.resources, gpuIDs: assignment.gpuIDs)
                    releaseArguments(of: assignment.spec)
                }
                for worker in job.idleWorkers {
                    if let connection = clients[worker]?.connection { actions.append(.stopWorker(connection)) }
                }
                job.idleWorkers = []
                jobs[registration.jobID] = job
            }
        }
        dispatch(actions: &actions)
        return actions
    }

    // MARK: Messages

    mutating func handle(_ message: Message, from id: Int, now: Double) -> [NodeAction] {
        guard let client = clients[id], let registration = client.registration else { return [] }
        var actions = [NodeAction]()
        switch message {
        case let .submitTask(spec):
            submit(spec, by: id, registration: registration, actions: &actions)
        case let .putObject(objectID, payload, contained):
            addReference(objectID, client: id)
            put(objectID, payload: payload, contained: contained, actions: &actions)
        case let .createObject(request, objectID, size):
            addReference(objectID, client: id)
            do {
                let (offset, evictedIDs) = try objects.create(objectID, size: size)
                evicted.formUnion(evictedIDs)
                evicted.remove(objectID)
                actions.append(.send(client.connection, .createReply(request: request, offset: offset, error: nil)))
            } catch {
                removeReference(objectID, client: id)
                actions.append(.send(client.connection, .createReply(request: request, offset: 0, error: error.description)))
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
            for objectID in ids { removeReference(objectID, client: id) }
        case let .addReferences(ids):
            for objectID in ids { addReference(objectID, client: id) }
        case let .taskDone(taskID, results, error):
            completeTask(taskID, results: results, error: error, worker: id, now: now, actions: &actions)
        default:
            break
        }
        return actions
    }

    /// Expires `wait` timeouts and stops workers idle longer than `idleTimeout` seconds.
    mutating func tick(now: Double, idleTimeout: Double) -> [NodeAction] {
        var actions = [NodeAction]()
        for (key, waiter) in waiters {
            if case let .wait(_, deadline?) = waiter.kind, deadline <= now { completeWaiter(key, actions: &actions) }
        }
        for (jobID, job) in jobs {
            let expired = job.idleWorkers.filter { (clients[$0]?.idleSince ?? now) + idleTimeout <= now }
            guard !expired.isEmpty else { continue }
            jobs[jobID]!.idleWorkers.removeAll { expired.contains($0) }
            for worker in expired {
                if let connection = clients[worker]?.connection { actions.append(.stopWorker(connection)) }
            }
        }
        return actions
    }

    var nextWaitDeadline: Double? {
        waiters.values.compactMap { if case let .wait(_, deadline) = $0.kind { deadline } else { nil } }.min()
    }

    // MARK: Tasks

    private mutating func submit(_ spec: TaskSpec, by id: Int, registration: ClientRegistration, actions: inout [NodeAction]) {
        for returnID in spec.returnIDs { addReference(returnID, client: id) }
        lineage[spec.taskID] = spec
        if let reason = scheduler.infeasibility(of: spec.resources) {
            let record = ErrorRecord(kind: .infeasible, jobID: spec.jobID, taskID: spec.taskID, functionName: spec.displayName,
                                     workerPID: registration.pid, nodeID: nodeID, message: reason)
            storeErrors(spec.returnIDs, record, actions: &actions)
            actions.append(.report(record))
            return
        }
        var missing = Set<ObjectID>()
        for argument in spec.referencedIDs {
            objects.addReference(argument)
            if !objects.isSealed(argument) { missing.insert(argument) }
        }
        scheduler.submit(spec, missing: missing)
        dispatch(actions: &actions)
    }

    /// Starts every task whose arguments are here and whose resources are free.
    private mutating func dispatch(actions: inout [NodeAction]) {
        while let (spec, gpuIDs) = scheduler.nextRunnable() {
            guard var job = jobs[spec.jobID] else {
                scheduler.release(spec.resources, gpuIDs: gpuIDs)
                releaseArguments(of: spec)
                continue
            }
            if let worker = job.idleWorkers.popLast() {
                jobs[spec.jobID] = job
                assign(spec, gpuIDs: gpuIDs, to: worker, actions: &actions)
            } else {
                job.awaitingWorker.push((spec, gpuIDs))
                let workerCount = clients.values.filter { $0.isWorker }.count + job.startingWorkers
                if job.startingWorkers < job.awaitingWorker.count && workerCount < maxWorkers {
                    job.startingWorkers += 1
                    actions.append(.spawnWorker(job: spec.jobID, executable: job.executable))
                }
                jobs[spec.jobID] = job
            }
        }
    }

    private mutating func workerBecameIdle(_ id: Int, actions: inout [NodeAction]) {
        guard let jobID = clients[id]?.registration?.jobID else { return }
        if let next = jobs[jobID]?.awaitingWorker.pop() {
            assign(next.spec, gpuIDs: next.gpuIDs, to: id, actions: &actions)
        } else {
            clients[id]?.idleSince = Self.monotonicNow()
            jobs[jobID]?.idleWorkers.append(id)
        }
    }

    private mutating func assign(_ spec: TaskSpec, gpuIDs: [Int], to worker: Int, actions: inout [NodeAction]) {
        guard let connection = clients[worker]?.connection else { return }
        clients[worker]?.running = NodeClient.RunningTask(spec: spec, gpuIDs: gpuIDs)
        clients[worker]?.idleSince = nil
        var locations = [ObjectLocation]()
        for id in spec.referencedIDs {
            guard let (offset, size) = objects.lookup(id) else { continue }
            objects.touch(id)
            // The worker holds what it reads until it lets go, even past the task (views may escape).
            addReference(id, client: worker)
            locations.append(ObjectLocation(id: id, offset: offset, size: size))
        }
        actions.append(.send(connection, .executeTask(spec, arguments: locations, gpuIDs: gpuIDs)))
    }

    private mutating func completeTask(_ taskID: TaskID, results: [ReturnValue], error: ErrorRecord?, worker: Int, now: Double,
                                       actions: inout [NodeAction]) {
        guard let client = clients[worker], let running = client.running, running.spec.taskID == taskID else { return }
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
        if let error { actions.append(.report(error)) }
        finishTask(running, clientPID: client.registration?.pid ?? 0, actions: &actions)
        clients[worker]?.running = nil
        workerBecameIdle(worker, actions: &actions)
        dispatch(actions: &actions)
    }

    private mutating func finishTask(_ running: NodeClient.RunningTask, clientPID: Int32, actions: inout [NodeAction]) {
        if running.lentCPUs { scheduler.reclaimCPUs(running.spec.resources.cpus) }
        scheduler.release(running.spec.resources, gpuIDs: running.gpuIDs)
        releaseArguments(of: running.spec)
    }

    private mutating func releaseArguments(of spec: TaskSpec) {
        for argument in spec.referencedIDs { _ = objects.removeReference(argument) }
    }

    // MARK: Objects

    private mutating func put(_ id: ObjectID, payload: [UInt8], contained: [ObjectID], actions: inout [NodeAction]) {
        guard !objects.contains(id) else { return }
        do {
            let (offset, evictedIDs) = try objects.create(id, size: payload.count)
            evicted.formUnion(evictedIDs)
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

    /// Makes `ids` error objects, so that whoever waits for them gets `record` instead of hanging.
    private mutating func storeErrors(_ ids: [ObjectID], _ record: ErrorRecord, actions: inout [NodeAction]) {
        let payload = ObjectPayload.error(record)
        for id in ids where !objects.isSealed(id) {
            _ = objects.abort(id)
            guard let (offset, evictedIDs) = try? objects.create(id, size: payload.count) else { continue }
            evicted.formUnion(evictedIDs)
            payload.withUnsafeBytes { arena.buffer(offset: offset, count: payload.count).copyMemory(from: $0) }
            try? objects.seal(id, containedIDs: [])
            objectSealed(id, actions: &actions)
        }
    }

    private mutating func objectSealed(_ id: ObjectID, actions: inout [NodeAction]) {
        scheduler.objectAvailable(id)
        if let keys = waitersByObject[id] {
            for key in keys where waiters[key] != nil && isSatisfied(waiters[key]!) { completeWaiter(key, actions: &actions) }
        }
        dispatch(actions: &actions)
    }

    private mutating func addReference(_ id: ObjectID, client: Int) {
        guard clients[client] != nil else { return }
        clients[client]!.references[id, default: 0] += 1
        objects.addReference(id)
    }

    private mutating func removeReference(_ id: ObjectID, client: Int) {
        guard let count = clients[client]?.references[id] else { return }
        clients[client]!.references[id] = count > 1 ? count - 1 : nil
        _ = objects.removeReference(id)
    }

    // MARK: Waiters

    private func isSatisfied(_ waiter: ObjectWaiter) -> Bool {
        switch waiter.kind {
        case .get: waiter.ids.allSatisfy { objects.isSealed($0) }
        case let .wait(numReturns, _): waiter.ids.lazy.filter { objects.isSealed($0) }.count >= numReturns
        }
    }

    private mutating func startWaiter(_ waiter: ObjectWaiter, actions: inout [NodeAction]) {
        let key = nextWaiter
        nextWaiter += 1
        waiters[key] = waiter
        let immediate: Bool = {
            if case let .wait(_, deadline) = waiter.kind, let deadline, deadline <= Self.monotonicNow() { return true }
            return isSatisfied(waiter)
        }()
        if immediate {
            completeWaiter(key, actions: &actions)
            return
        }
        for id in Set(waiter.ids) where !objects.isSealed(id) { waitersByObject[id, default: []].append(key) }
        waiters[key]!.pending = true
        clients[waiter.client]?.pendingWaits += 1
        if var running = clients[waiter.client]?.running, !running.lentCPUs {
            running.lentCPUs = true
            clients[waiter.client]?.running = running
            scheduler.lendCPUs(running.spec.resources.cpus)
            dispatch(actions: &actions)
        }
    }

    private mutating func completeWaiter(_ key: UInt64, actions: inout [NodeAction]) {
        guard let waiter = waiters[key] else { return }
        removeWaiter(key, ids: waiter.ids)
        guard let client = clients[waiter.client] else { return }
        switch waiter.kind {
        case .get:
            var locations = [ObjectLocation]()
            locations.reserveCapacity(waiter.ids.count)
            for id in waiter.ids {
                guard let (offset, size) = objects.lookup(id) else { continue }
                objects.touch(id)
                addReference(id, client: waiter.client)
                locations.append(ObjectLocation(id: id, offset: offset, size: size))
            }
            actions.append(.send(client.connection, .objectsReply(request: waiter.request, locations: locations)))
        case let .wait(numReturns, _):
            let ready = Array(waiter.ids.filter { objects.isSealed($0) }.prefix(numReturns))
            actions.append(.send(client.connection, .waitReply(request: waiter.request, ready: ready)))
        }
        if waiter.pending { resumeAfterWait(waiter.client) }
    }

    private mutating func removeWaiter(_ key: UInt64, ids: [ObjectID]) {
        waiters[key] = nil
        for id in Set(ids) {
            waitersByObject[id]?.removeAll { $0 == key }
            if waitersByObject[id]?.isEmpty == true { waitersByObject[id] = nil }
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
