import RayCore

/// The local scheduler's bookkeeping, with no I/O so it can be driven from unit tests: tasks wait
/// until every argument object is in the local store, then wait first-in, first-out until the
/// resources they ask for are free. Tasks with different resource shapes do not block each
/// other: the earliest ready task whose request fits runs first.
struct TaskScheduler {
    /// What the node has.
    let total: Resources
    /// What is free right now; may dip below zero while blocked workers take their CPUs back.
    private(set) var available: Resources
    private var freeGPUs: [Int]

    private struct Waiting {
        var spec: TaskSpec
        var missing: Set<ObjectID>
    }

    private struct Ready {
        var sequence: UInt64
        var spec: TaskSpec
    }

    private var waiting: [TaskID: Waiting] = [:]
    private var dependents: [ObjectID: [TaskID]] = [:]
    private var ready: [Resources: FIFOQueue<Ready>] = [:]
    private var nextSequence: UInt64 = 0

    init(total: Resources) {
        self.total = total
        available = total
        freeGPUs = Array(0..<Int(total.gpus))
    }

    var waitingCount: Int { waiting.count }
    var readyCount: Int { ready.values.reduce(0) { $0 + $1.count } }

    /// Why `request` can never run here, or nil when it can.
    func infeasibility(of request: Resources) -> String? {
        if request.gpus != request.gpus.rounded() {
            return "it asks for \(request.gpus) GPUs; GPUs are assigned whole"
        }
        guard total.covers(request) else {
            let missing = request.quantities.keys.sorted().filter { total[$0] + 1e-9 < request[$0] }
            let details = missing.map { "\($0): needs \(Self.format(request[$0])), the cluster has \(Self.format(total[$0]))" }
            return "it asks for \(request) but the cluster has \(total) (\(details.joined(separator: "; ")))"
        }
        return nil
    }

    /// Queues a task; `missing` are the argument objects not yet in the local store.
    mutating func submit(_ spec: TaskSpec, missing: Set<ObjectID>) {
        if missing.isEmpty {
            makeReady(spec)
        } else {
            waiting[spec.taskID] = Waiting(spec: spec, missing: missing)
            for id in missing { dependents[id, default: []].append(spec.taskID) }
        }
    }

    /// An object arrived in the store: tasks that waited only for it become ready.
    mutating func objectAvailable(_ id: ObjectID) {
        guard let taskIDs = dependents.removeValue(forKey: id) else { return }
        for taskID in taskIDs {
            guard var entry = waiting[taskID] else { continue }
            entry.missing.remove(id)
            if entry.missing.isEmpty {
                waiting[taskID] = nil
                makeReady(entry.spec)
            } else {
                waiting[taskID] = entry
            }
        }
    }

    private mutating func makeReady(_ spec: TaskSpec) {
        ready[spec.resources, default: FIFOQueue()].push(Ready(sequence: nextSequence, spec: spec))
        nextSequence += 1
    }

    /// Takes the earliest ready task whose resources are free, reserving them and its GPU IDs.
    mutating func nextRunnable() -> (spec: TaskSpec, gpuIDs: [Int])? {
        var best: (shape: Resources, sequence: UInt64)?
        for (shape, queue) in ready {
            guard let head = queue.first, available.covers(shape) else { continue }
            if best == nil || head.sequence < best!.sequence { best = (shape, head.sequence) }
        }
        guard let best, let spec = takeReady(shape: best.shape) else { return nil }
        available.subtract(spec.resources)
        let gpuCount = Int(spec.resources.gpus)
        let gpuIDs = Array(freeGPUs.prefix(gpuCount))
        freeGPUs.removeFirst(gpuIDs.count)
        return (spec, gpuIDs)
    }

    var hasReadyTasks: Bool { !ready.isEmpty }

    /// The first ready task of `shape`: a candidate to queue behind a running task of the same
    /// shape when no resources are free for it.
    func firstReady(shape: Resources) -> TaskSpec? {
        ready[shape]?.first?.spec
    }

    /// Takes the first ready task of `shape` without reserving resources: it will run on
    /// resources a running task of the same shape hands on to it.
    mutating func takeReady(shape: Resources) -> TaskSpec? {
        guard let task = ready[shape]?.pop() else { return nil }
        if ready[shape]?.isEmpty == true { ready[shape] = nil }
        return task.spec
    }

    /// Whether a task waits for `id` to arrive.
    func isWaiting(for id: ObjectID) -> Bool { dependents[id] != nil }

    /// Takes the earliest ready task that `accept` takes (spillback: one another node has room
    /// for), without reserving resources here.
    mutating func takeFirstReady(where accept: (TaskSpec) -> Bool) -> TaskSpec? {
        var best: (shape: Resources, sequence: UInt64)?
        for (shape, queue) in ready {
            guard let head = queue.first, best == nil || head.sequence < best!.sequence, accept(head.spec) else { continue }
            best = (shape, head.sequence)
        }
        guard let best else { return nil }
        return takeReady(shape: best.shape)
    }

    /// Makes a task that was queued at a worker and given back ready again.
    mutating func requeue(_ spec: TaskSpec) {
        makeReady(spec)
    }

    /// Returns a finished task's resources and GPUs to the pool.
    mutating func release(_ resources: Resources, gpuIDs: [Int]) {
        available.add(resources)
        freeGPUs.append(contentsOf: gpuIDs)
        freeGPUs.sort()
    }

    /// A worker blocked in `get` lends its CPUs back so nested tasks can run.
    mutating func lendCPUs(_ amount: Double) { available[Resources.cpu] = available.cpus + amount }

    /// The worker resumed: it takes its CPUs again, even if that oversubscribes the node briefly.
    mutating func reclaimCPUs(_ amount: Double) {
        available[Resources.cpu] = available.cpus - amount
    }

    /// Drops one queued task, returning it if it was queued.
    mutating func remove(_ taskID: TaskID) -> TaskSpec? {
        if let entry = waiting.removeValue(forKey: taskID) { return entry.spec }
        for shape in Array(ready.keys) {
            if let found = ready[shape]!.removeAll(where: { $0.spec.taskID == taskID }).first {
                if ready[shape]!.isEmpty { ready[shape] = nil }
                return found.spec
            }
        }
        return nil
    }

    /// Drops every queued task of `job` (its driver is gone), returning them.
    mutating func removeTasks(of job: JobID) -> [TaskSpec] {
        var removed = waiting.values.filter { $0.spec.jobID == job }.map(\.spec)
        for spec in removed { waiting[spec.taskID] = nil }
        for shape in Array(ready.keys) {
            removed += ready[shape]!.removeAll { $0.spec.jobID == job }.map(\.spec)
            if ready[shape]!.isEmpty { ready[shape] = nil }
        }
        return removed
    }

    private static func format(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
}
