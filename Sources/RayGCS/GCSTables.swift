import RayCore

/// The control store's tables (jobs, nodes, errors and their subscribers, actor names) and the
/// rules that change them. A pure state machine: no sockets, no locks. Each message in gives the
/// messages to send, addressed to clients by ID; `GCSServer` holds the lock and the connections.
struct GCSTables {
    /// A message to send to a client.
    struct Delivery: Equatable, Sendable {
        var client: GCSClientID
        var message: Message
    }

    private var nextJob: UInt32 = 1
    private var nodes: [NodeID: NodeInfo] = [:]
    private var errors: [ErrorRecord] = []
    private var subscribers: [JobID: Set<GCSClientID>] = [:]
    /// Named actors: any driver or worker of the cluster can look a handle up by name.
    private var actorNames: [String: TaskID] = [:]

    init() {}

    /// Applies a message from `client`; returns what to send, or nil for a message the control
    /// store does not take.
    mutating func handle(_ message: Message, from client: GCSClientID) -> [Delivery]? {
        switch message {
        case let .registerJob(request):
            return [Delivery(client: client, message: .jobRegistered(request: request, jobID: registerJob()))]
        case let .registerNode(node):
            nodes[node.nodeID] = node
            return []
        case let .reportError(record):
            return report(record)
        case let .subscribeErrors(job):
            subscribers[job, default: []].insert(client)
            return []
        case let .getErrors(request, job):
            return [Delivery(client: client, message: .errorsReply(request: request, errors: errors(of: job)))]
        case let .getNodes(request):
            return [Delivery(client: client, message: .nodesReply(request: request, nodes: Array(nodes.values)))]
        case let .registerActorName(request, name, actorID):
            return [Delivery(client: client, message: .actorNameReply(request: request, error: registerActorName(name, actorID)))]
        case let .lookupActorName(request, name):
            return [Delivery(client: client, message: .actorLookupReply(request: request, actorID: actorNames[name]))]
        default:
            return nil
        }
    }

    /// Forgets what `client` subscribed to: its connection closed.
    mutating func clientClosed(_ client: GCSClientID) {
        for job in subscribers.keys { subscribers[job]?.remove(client) }
    }

    private mutating func registerJob() -> JobID {
        defer { nextJob += 1 }
        return JobID(nextJob)
    }

    /// Keeps the error and tells the subscribers of its job.
    private mutating func report(_ record: ErrorRecord) -> [Delivery] {
        errors.append(record)
        return (subscribers[record.jobID] ?? []).map { Delivery(client: $0, message: .errorNotice(record)) }
    }

    private func errors(of job: JobID) -> [ErrorRecord] {
        errors.filter { $0.jobID == job }
    }

    /// Claims `name` for `actorID`; returns why not if another actor holds it.
    private mutating func registerActorName(_ name: String, _ actorID: TaskID) -> String? {
        if let existing = actorNames[name], existing != actorID { return "an actor named \"\(name)\" already exists" }
        actorNames[name] = actorID
        return nil
    }
}
