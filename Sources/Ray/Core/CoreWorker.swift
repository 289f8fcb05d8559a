import RayCore

/// What the public API needs from the process's connection to Ray: the same for a driver, a
/// worker and local mode, so the API code is written once.
protocol CoreWorker: AnyObject, Sendable {
    var jobID: JobID { get }
    var nodeID: NodeID { get }
    /// The IP address of this process's node (the seed's `get_node_ip_address`).
    var nodeIP: String { get }
    /// The submission context of code not running inside a task (the driver's main program).
    var rootContext: SubmissionContext { get }
    /// Where this node keeps its sockets and logs (empty in local mode).
    var sessionDirectory: String { get }
    /// The services this process started (control store, raylet); empty when it started none.
    var serviceProcessIDs: [Int32] { get }

    /// Takes a process-local hold on `id`; `countedByNode` when the node already counted this
    /// process as a holder (results of our own submissions and puts).
    func hold(_ ids: [ObjectID], countedByNode: Bool) -> ReferenceHolder
    func hold(_ id: ObjectID, countedByNode: Bool) -> ReferenceHolder
    func releaseHolds(_ ids: [ObjectID])
    func releaseHold(_ id: ObjectID)

    func submit(_ spec: TaskSpec) throws
    /// Sends an actor method call; the holder keeps its results. The objects that refs inside
    /// its arguments stand for are kept until the call has run.
    func callActor(_ spec: TaskSpec, keepingAlive argumentObjects: [ObjectID]) throws -> ReferenceHolder
    func store(_ id: ObjectID, _ payload: PayloadWriter) throws
    func get(_ ids: [ObjectID]) async throws -> [ObjectBuffer]
    /// The first `numReturns` ready objects, in the order of `ids`, once that many are ready or
    /// `timeout` passed (then fewer).
    func wait(_ ids: [ObjectID], numReturns: Int, timeout: Duration?) async throws -> [ObjectID]
    func errors() async throws -> [ErrorRecord]
    /// The cluster's nodes as the control store lists them.
    func nodes() async throws -> [NodeStatus]
    func isInObjectStore(_ pointer: UnsafeRawPointer) -> Bool
    /// Claims a cluster-wide actor name; throws when it is taken.
    func registerActorName(_ name: String, actorID: TaskID) async throws
    func lookupActorName(_ name: String) async throws -> TaskID?
    func killActor(_ actorID: TaskID) throws
    /// The cluster's key-value table: stores (nil deletes) and reads small values by key.
    func setKeyValue(_ value: [UInt8]?, forKey key: String) async throws
    func keyValue(forKey key: String) async throws -> [UInt8]?
    func shutdown() async
}

extension CoreWorker {
    /// The context that new tasks and puts derive their IDs from.
    var currentContext: SubmissionContext { SubmissionContext.current ?? rootContext }
}
