/// A failure somewhere in the cluster, as the control store keeps it and drivers print it.
public struct ErrorRecord: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: UInt8, Sendable {
        case taskFailed = 1
        case workerDied = 2
        case infeasible = 3
        case objectStore = 4
        case system = 5
        /// An actor method call could not run: the actor is gone (the message says which and why).
        case actorDied = 6
        /// The node that ran the task, or held the object, died (the message names it and why).
        case nodeDied = 7
    }

    public var kind: Kind
    public var jobID: JobID
    public var taskID: TaskID
    public var functionName: String
    public var workerPID: Int32
    public var nodeID: NodeID
    public var message: String

    public init(kind: Kind, jobID: JobID, taskID: TaskID, functionName: String, workerPID: Int32, nodeID: NodeID, message: String) {
        self.kind = kind
        self.jobID = jobID
        self.taskID = taskID
        self.functionName = functionName
        self.workerPID = workerPID
        self.nodeID = nodeID
        self.message = message
    }

    public var description: String {
        switch kind {
        case .taskFailed:
            "remote function \(functionName) failed on worker pid \(workerPID), node \(nodeID): \(message)"
        case .workerDied:
            "worker pid \(workerPID) on node \(nodeID) died while running \(functionName): \(message)"
        case .infeasible:
            "task \(functionName) cannot run: \(message)"
        case .actorDied:
            "\(functionName) could not run: \(message)"
        case .nodeDied:
            "\(functionName.isEmpty ? "an object" : functionName) was lost: \(message)"
        case .objectStore, .system:
            "\(functionName.isEmpty ? "" : functionName + ": ")\(message) (node \(nodeID))"
        }
    }

    /// Bytes on the wire of a record with empty strings.
    public static let minimumWireBytes = 1 + 4 + TaskID.byteCount + 4 + 4 + 8 + 4

    public func write(to w: inout WireWriter) {
        w.u8(kind.rawValue)
        w.u32(jobID.value)
        w.taskID(taskID)
        w.string(functionName)
        w.u32(UInt32(bitPattern: workerPID))
        w.u64(nodeID.value)
        w.string(message)
    }

    public static func read(from r: inout WireReader) throws(WireError) -> ErrorRecord {
        let tag = try r.u8()
        guard let kind = Kind(rawValue: tag) else { throw WireError.invalid("error kind \(tag)") }
        return ErrorRecord(kind: kind, jobID: JobID(try r.u32()), taskID: try r.taskID(), functionName: try r.string(),
                           workerPID: Int32(bitPattern: try r.u32()), nodeID: NodeID(try r.u64()), message: try r.string())
    }
}
