import RayCore

/// The control store's tables (jobs, nodes, errors and their subscribers, actor names) and the
/// rules that change them. A pure state machine: no sockets, no locks. Each message in gives the
/// messages to send, addressed to clients by ID; `GCSServer` holds the lock and the connections.
///
/// A job lives from its `registerJob` until the client that sent it (the driver's connection)
/// closes; then its errors, their drop count and its subscribers go. Errors of jobs that are not
/// live (ended, or never registered here) are not kept: no one could ask for them.
struct GCSTables {
    /// A message to send to a client.
    struct Delivery: Equatable, Sendable {
        var client: GCSClientID
        var message: Message
    }

    /// How many errors the control store keeps per job unless told otherwise: the latest 10,000,
    /// about 3 MB of records (an error takes about 300 bytes). Older ones are dropped and counted.
    static let defaultMaxErrorsPerJob = 10_000

    /// How many errors are kept per job; older ones are dropped and counted.
    let maxErrorsPerJob: Int

    /// A live job. The client that registered it lists it in its `Client` entry.
    private struct Job {
        var errors: JobErrorLog
        var subscribers: Set<GCSClientID> = []
        /// The program its workers run, shipped by its driver (`ExecutableStore` has its bytes).
        var executable: (hash: ContentHash, size: Int)?
    }

    /// What a client registered and subscribed to, which its closing undoes. Only clients that did
    /// either have an entry.
    private struct Client {
        var jobs: Set<JobID> = []
        var subscriptions: Set<JobID> = []
    }

    private var nextJob: UInt32 = 1
    private var jobs: [JobID: Job] = [:]
    private var clients: [GCSClientID: Client] = [:]
    private var nodes: NodeTable
    /// Named actors: any driver or worker of the cluster can look a handle up by name. Names do
    /// not belong to a job: a detached actor's name outlives its driver.
    private var actorNames: [String: TaskID] = [:]
    /// Where each actor of a multi-node cluster takes calls (registered by its worker once it
    /// listens): how a caller on another node reaches an actor it only knows by ID or name.
    private var keyValues = KeyValueTable()
    private var actorAddresses: [TaskID: (node: NodeID, address: String)] = [:]

    init(maxErrorsPerJob: Int = GCSTables.defaultMaxErrorsPerJob, nodeDeathTimeout: Double = GCSServer.defaultNodeDeathTimeout) {
        precondition(maxErrorsPerJob > 0, "the control store must keep at least one error per job")
        self.maxErrorsPerJob = maxErrorsPerJob
        nodes = NodeTable(deathTimeout: nodeDeathTimeout)
    }

    /// Applies a message from `client`; returns what to send, or nil for a message the control
    /// store does not take.
    mutating func handle(_ message: Message, from client: GCSClientID, now: Double) -> [Delivery]? {
        switch message {
        case let .registerJob(request):
            return [Delivery(client: client, message: .jobRegistered(request: request, jobID: registerJob(by: client)))]
        case let .registerNode(node):
            return nodes.register(node, by: client, now: now)
        case let .heartbeat(nodeID, available, queued):
            return nodes.heartbeat(nodeID, available: available, queuedTasks: queued, now: now)
        case .subscribeNodes:
            return nodes.subscribe(client)
        case let .reportError(record):
            return report(record)
        case let .subscribeErrors(job):
            subscribe(client, to: job)
            return []
        case let .getErrors(request, job):
            return [Delivery(client: client, message: .errorsReply(request: request, errors: errors(of: job)))]
        case let .getNodes(request):
            return [Delivery(client: client, message: .nodesReply(request: request, nodes: nodes.statuses))]
        case let .registerActorName(request, name, actorID):
            return [Delivery(client: client, message: .actorNameReply(request: request, error: registerActorName(name, actorID)))]
        case let .registerActor(actorID, node, address):
            actorAddresses[actorID] = (node, address)
            return []
        case let .putKeyValue(request, key, value):
            let error = keyValues.put(key, value)
            return [Delivery(client: client, message: .keyValueReply(request: request, value: nil, error: error))]
        case let .getKeyValue(request, key):
            return [Delivery(client: client, message: .keyValueReply(request: request, value: keyValues[key], error: nil))]
        case let .getActor(request, actorID):
            // An actor on a dead node is gone with it.
            let entry = actorAddresses[actorID].flatMap { nodes.isAlive($0.node) ? $0 : nil }
            return [Delivery(client: client, message: .actorReply(request: request, nodeID: entry?.node, address: entry?.address ?? ""))]
        case let .lookupActorName(request, name):
            return [Delivery(client: client, message: .actorLookupReply(request: request, actorID: actorNames[name]))]
        case let .getJobExecutable(request, job):
            let executable = jobs[job]?.executable
            return [Delivery(client: client, message: .executableInfo(request: request, hash: executable?.hash, size: executable?.size ?? 0))]
        default:
            return nil
        }
    }

    /// `client`'s connection closed: its subscriptions go, the jobs it registered end, and the
    /// node it registered dies (subscribers hear of that).
    mutating func clientClosed(_ client: GCSClientID) -> [Delivery] {
        let deaths = nodes.clientClosed(client)
        guard let closed = clients.removeValue(forKey: client) else { return deaths }
        for job in closed.subscriptions { jobs[job]?.subscribers.remove(client) }
        for job in closed.jobs { end(job) }
        return deaths
    }

    /// Declares dead the nodes whose heartbeats stopped.
    mutating func tick(now: Double) -> [Delivery] {
        nodes.expire(now: now)
    }

    /// Records the program the job's workers run (its bytes are stored already); why not, if the
    /// job is not live. The program is the job's for its life: a second one is refused.
    mutating func setJobExecutable(_ job: JobID, hash: ContentHash, size: Int) -> String? {
        guard jobs[job] != nil else { return "job \(job) is not running" }
        if let existing = jobs[job]!.executable, existing.hash != hash { return "job \(job) runs program \(existing.hash) already" }
        jobs[job]!.executable = (hash, size)
        return nil
    }

    /// Whether `job` was registered and its driver is still connected.
    func isLive(_ job: JobID) -> Bool { jobs[job] != nil }

    private mutating func registerJob(by client: GCSClientID) -> JobID {
        let job = JobID(nextJob)
        nextJob += 1
        jobs[job] = Job(errors: JobErrorLog(capacity: maxErrorsPerJob))
        clients[client, default: Client()].jobs.insert(job)
        return job
    }

    /// The job's errors, drop count and subscribers go.
    private mutating func end(_ job: JobID) {
        guard let ended = jobs.removeValue(forKey: job) else { return }
        for subscriber in ended.subscribers {
            clients[subscriber]?.subscriptions.remove(job)
            if let entry = clients[subscriber], entry.jobs.isEmpty && entry.subscriptions.isEmpty { clients[subscriber] = nil }
        }
    }

    private mutating func subscribe(_ client: GCSClientID, to job: JobID) {
        guard isLive(job) else { return }
        jobs[job]?.subscribers.insert(client)
        clients[client, default: Client()].subscriptions.insert(job)
    }

    /// Keeps the error (dropping its job's oldest beyond the bound) and tells the job's subscribers.
    private mutating func report(_ record: ErrorRecord) -> [Delivery] {
        guard let subscribers = jobs[record.jobID]?.subscribers else { return [] }
        jobs[record.jobID]?.errors.append(record)
        return subscribers.map { Delivery(client: $0, message: .errorNotice(record)) }
    }

    /// The job's kept errors, oldest first, preceded by a notice of how many were dropped, if any.
    private func errors(of job: JobID) -> [ErrorRecord] {
        guard let log = jobs[job]?.errors else { return [] }
        guard log.dropped > 0 else { return log.records }
        return [droppedNotice(job: job, dropped: log.dropped)] + log.records
    }

    /// The record that stands for a job's dropped errors in `getErrors` answers (the wire format
    /// has no field for the count).
    func droppedNotice(job: JobID, dropped: Int) -> ErrorRecord {
        let what = dropped == 1 ? "1 older error of job \(job) was dropped" : "\(dropped) older errors of job \(job) were dropped"
        return ErrorRecord(kind: .system, jobID: job, taskID: .nil_, functionName: "", workerPID: 0, nodeID: NodeID(0),
                           message: "\(what) (the control store keeps the latest \(maxErrorsPerJob) per job)")
    }

    /// Claims `name` for `actorID`; returns why not if another actor holds it.
    private mutating func registerActorName(_ name: String, _ actorID: TaskID) -> String? {
        if let existing = actorNames[name], existing != actorID { return "an actor named \"\(name)\" already exists" }
        actorNames[name] = actorID
        return nil
    }
}
