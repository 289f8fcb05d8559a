/// Every frame of the one wire protocol that drivers, workers, raylets and the control store
/// speak. Requests that expect an answer carry a `request` number the answer echoes.
/// Each case's type byte is in `MessageTag`, its byte layout in `Message+Wire.swift`; both are
/// described in docs/ARCHITECTURE.md.
public enum Message: Sendable, Equatable {
    // Client (driver or worker) and raylet.
    case register(ClientRegistration)
    case registered(nodeID: NodeID, storeCapacity: Int, sessionDirectory: String)
    case submitTask(TaskSpec)
    case putObject(id: ObjectID, payload: [UInt8], contained: [ObjectID])
    case createObject(request: UInt64, id: ObjectID, size: Int)
    case createReply(request: UInt64, offset: Int, error: String?)
    case sealObject(id: ObjectID, contained: [ObjectID])
    case getObjects(request: UInt64, ids: [ObjectID])
    case objectsReply(request: UInt64, locations: [ObjectLocation])
    case waitObjects(request: UInt64, ids: [ObjectID], numReturns: Int, timeoutMilliseconds: Int64)
    case waitReply(request: UInt64, ready: [ObjectID])
    case releaseObjects([ObjectID])
    case addReferences([ObjectID])
    case removeReferences([ObjectID])
    case executeTask(TaskSpec, arguments: [ObjectLocation], gpuIDs: [Int])
    case taskDone(taskID: TaskID, results: [ReturnValue], error: ErrorRecord?)
    case shutdown
    case killActor(TaskID)
    /// A worker gives back tasks queued behind its running one, unstarted: that task is about to
    /// wait, and what it waits for may be among them.
    case returnTasks([TaskID])
    /// An actor call's result that the caller received straight from the actor's worker: stored
    /// like a put, but the sender's hold was counted when it took the ref.
    case putResult(id: ObjectID, payload: [UInt8], contained: [ObjectID])
    /// Drops the holds that an actor's worker kept on results it stored for a caller: the caller,
    /// who sends this, holds them now.
    case dropActorHolds(actorID: TaskID, ids: [ObjectID])
    /// The client no longer waits for the answer to its `getObjects` or `waitObjects` numbered
    /// `request` (the task that asked was cancelled): the raylet drops the waiter, and a worker
    /// blocked by it takes its CPUs back.
    case cancelRequest(request: UInt64)

    // Raylet and raylet, on the connection the first sends on (the second answers on it).
    /// The first frame of a connection from another raylet: which node it is.
    case peerHello(nodeID: NodeID)
    /// A task the sender spills to this node: its job's executable, and where each argument
    /// object is. Its results come back as a `taskDone`. Unless `queueIfBusy` (the sender can never
    /// run it), the receiver rejects it when its resources are not free.
    case forwardTask(TaskSpec, executable: String, hints: [ObjectHint], queueIfBusy: Bool)
    /// The node will not take a forwarded task (its resources are no longer free): the sender
    /// queues it again.
    case taskRejected(TaskID)
    /// Asks for an object's bytes; answered with `objectChunk`s once it is here, or
    /// `objectUnavailable`. The sender holds it until it sends `releaseObjects`.
    case pullObject(ObjectID)
    /// A piece of an object's payload. The first (offset 0) carries the objects it contains.
    case objectChunk(id: ObjectID, totalSize: Int, offset: Int, contained: [ObjectID], bytes: [UInt8])
    case objectUnavailable(id: ObjectID, reason: String)
    /// Asks another node whether it has an object this node needs and knows no place of;
    /// answered with `objectLocated` only if it has it.
    case locateObject(ObjectID)
    case objectLocated(id: ObjectID, size: Int)

    // Anyone and the control store.
    case registerJob(request: UInt64)
    case jobRegistered(request: UInt64, jobID: JobID)
    case registerNode(NodeInfo)
    case reportError(ErrorRecord)
    case subscribeErrors(JobID)
    case errorNotice(ErrorRecord)
    case getErrors(request: UInt64, jobID: JobID)
    case errorsReply(request: UInt64, errors: [ErrorRecord])
    case getNodes(request: UInt64)
    case nodesReply(request: UInt64, nodes: [NodeStatus])
    /// Claims a name for a named actor; the reply's error says why it was refused.
    case registerActorName(request: UInt64, name: String, actorID: TaskID)
    case actorNameReply(request: UInt64, error: String?)
    case lookupActorName(request: UInt64, name: String)
    case actorLookupReply(request: UInt64, actorID: TaskID?)
    /// A raylet's free resources and queue length; also its sign of life.
    case heartbeat(nodeID: NodeID, available: Resources, queuedTasks: Int)
    /// Asks for every node's changes: `nodeAdded` for each live node at once, then as they happen.
    case subscribeNodes
    case nodeAdded(NodeInfo)
    case nodeResources(nodeID: NodeID, available: Resources, queuedTasks: Int)
    case nodeDied(nodeID: NodeID, reason: String)
    // Programs shipped to other nodes (docs/ARCHITECTURE.md, "Programs on every node").
    /// Asks whether the control store has the program with this hash; answered by `executableInfo`.
    case queryExecutable(request: UInt64, hash: ContentHash)
    /// A stored program's hash and size; nil hash (size 0) when there is none.
    case executableInfo(request: UInt64, hash: ContentHash?, size: Int)
    /// A piece of a program to store under `hash`, in order from offset 0; answered by
    /// `executableReply` (the last piece's answer says whether the whole matched the hash).
    case uploadExecutable(request: UInt64, hash: ContentHash, totalSize: Int, offset: Int, bytes: [UInt8])
    /// The answer to an upload, a `setJobExecutable` or a failed `readExecutable`: nil error is success.
    case executableReply(request: UInt64, error: String?)
    /// The job's workers run the stored program with this hash (sent by the job's driver).
    case setJobExecutable(request: UInt64, jobID: JobID, hash: ContentHash)
    /// Asks which program the job's workers run; answered by `executableInfo`.
    case getJobExecutable(request: UInt64, jobID: JobID)
    /// Asks for `count` bytes at `offset` of a stored program; answered by `executableChunk`, or
    /// `executableReply` with the reason it cannot be read.
    case readExecutable(request: UInt64, hash: ContentHash, offset: Int, count: Int)
    case executableChunk(request: UInt64, totalSize: Int, offset: Int, bytes: [UInt8])
    /// An actor's worker listens for calls at `address` (`ip:port`) on `nodeID`.
    case registerActor(actorID: TaskID, nodeID: NodeID, address: String)
    /// Where a live actor takes calls; the reply's node is nil when the actor is unknown or its
    /// node died.
    case getActor(request: UInt64, actorID: TaskID)
    case actorReply(request: UInt64, nodeID: NodeID?, address: String)
    /// Stores `value` under `key` in the cluster's key-value table (nil deletes it); the reply's
    /// value is nil and its error says why, if the table refused.
    case putKeyValue(request: UInt64, key: String, value: [UInt8]?)
    case getKeyValue(request: UInt64, key: String)
    case keyValueReply(request: UInt64, value: [UInt8]?, error: String?)
}
