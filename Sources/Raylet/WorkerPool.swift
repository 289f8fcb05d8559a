import RayCore

/// The node's task workers, per job: the idle ones, those being started (each known by the
/// one-use token it must register with), the tasks that hold their resources and wait for a
/// worker, and how many starts failed in a row. Names workers by client ID; knows nothing of
/// what they run.
struct WorkerPool {
    /// A task given its resources and GPUs, waiting for a worker.
    typealias Assignment = (spec: TaskSpec, gpuIDs: [Int])

    struct Job {
        var executable: String
        var awaiting = FIFOQueue<Assignment>()
        var starting = 0
        /// Workers that exited before they registered, since the last one that did.
        var startFailures = 0
        var idle: [Int] = []
    }

    /// How many workers in a row may fail to start for a job before its waiting tasks fail.
    static let startAttempts = 3

    private(set) var jobs: [JobID: Job] = [:]
    private var tokens: [UInt64: JobID] = [:]
    /// The most worker processes the node runs (started ones included).
    let maxWorkers: Int

    init(maxWorkers: Int) { self.maxWorkers = maxWorkers }

    /// A driver registered: workers of its job run its executable.
    mutating func addJob(_ job: JobID, executable: String) {
        if jobs[job] == nil { jobs[job] = Job(executable: executable) }
    }

    func hasJob(_ job: JobID) -> Bool { jobs[job] != nil }

    /// The program the job's workers run.
    func executable(of job: JobID) -> String? { jobs[job]?.executable }

    /// A worker registers: accepted when `token` was issued for `job` and not used yet.
    mutating func register(token: UInt64, job: JobID) -> Bool {
        guard tokens[token] == job, jobs[job] != nil else { return false }
        tokens[token] = nil
        jobs[job]!.starting = max(0, jobs[job]!.starting - 1)
        jobs[job]!.startFailures = 0
        return true
    }

    /// Whether the worker started with `token` has not registered yet.
    func isStarting(token: UInt64) -> Bool { tokens[token] != nil }

    /// An idle worker of the job, taken out of the pool.
    mutating func takeIdle(of job: JobID) -> Int? { jobs[job]?.idle.popLast() }

    mutating func addIdle(_ worker: Int, of job: JobID) { jobs[job]?.idle.append(worker) }

    mutating func removeIdle(_ worker: Int, of job: JobID) { jobs[job]?.idle.removeAll { $0 == worker } }

    /// Queues a task until a worker of its job is free.
    mutating func await(_ assignment: Assignment) { jobs[assignment.spec.jobID]?.awaiting.push(assignment) }

    /// The next task waiting for a worker of the job, taken.
    mutating func nextAwaiting(of job: JobID) -> Assignment? { jobs[job]?.awaiting.pop() }

    /// The token and executable for one more worker of the job, while fewer are starting than
    /// tasks wait and the node runs fewer than `maxWorkers` (`running` of them registered;
    /// counted only when a worker is needed).
    mutating func startIfNeeded(for job: JobID, running: @autoclosure () -> Int) -> (token: UInt64, executable: String)? {
        guard let entry = jobs[job], entry.starting < entry.awaiting.count, running() + tokens.count < maxWorkers else { return nil }
        var token: UInt64
        repeat { token = UInt64.random(in: 1 ... .max) } while tokens[token] != nil
        tokens[token] = job
        jobs[job]!.starting += 1
        return (token, entry.executable)
    }

    /// What a failed start leads to.
    enum StartFailure {
        /// Start another worker (if still needed).
        case retry(JobID)
        /// Too many in a row: these waiting tasks fail.
        case gaveUp([Assignment])
    }

    /// A worker could not be started or exited before it registered; nil for a token that
    /// registered already or was never issued.
    mutating func failedToStart(token: UInt64) -> StartFailure? {
        guard let job = tokens.removeValue(forKey: token), jobs[job] != nil else { return nil }
        jobs[job]!.starting = max(0, jobs[job]!.starting - 1)
        jobs[job]!.startFailures += 1
        guard jobs[job]!.startFailures >= Self.startAttempts else { return .retry(job) }
        jobs[job]!.startFailures = 0
        return .gaveUp(drainAwaiting(of: job))
    }

    /// The job's driver left: its waiting tasks and its idle workers, taken out of the pool.
    mutating func endJob(_ job: JobID) -> (awaiting: [Assignment], idle: [Int]) {
        guard jobs[job] != nil else { return ([], []) }
        let idle = jobs[job]!.idle
        jobs[job]!.idle = []
        return (drainAwaiting(of: job), idle)
    }

    /// Idle workers whose idle time (`idleSince`) reached `timeout`, taken out of the pool.
    mutating func expireIdle(now: Double, timeout: Double, idleSince: (Int) -> Double?) -> [Int] {
        var expired = [Int]()
        for (job, entry) in jobs {
            let old = entry.idle.filter { (idleSince($0) ?? now) + timeout <= now }
            guard !old.isEmpty else { continue }
            jobs[job]!.idle.removeAll { old.contains($0) }
            expired += old
        }
        return expired
    }

    private mutating func drainAwaiting(of job: JobID) -> [Assignment] {
        var drained = [Assignment]()
        while let assignment = jobs[job]?.awaiting.pop() { drained.append(assignment) }
        return drained
    }
}
