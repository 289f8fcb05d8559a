import RayCore

/// A task failed: the remote function threw, its worker process died, or it asked for more
/// resources than the cluster has. `get` of any of its results, or of anything computed from
/// them, throws this same error with the original cause.
public struct TaskError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case remoteFunctionThrew
        case workerDied
        case infeasible
        case objectStore
        case system
        /// An actor method call could not run because the actor is gone.
        case actorDied
        /// The node that ran the task, or held the object, died.
        case nodeDied
    }

    public let kind: Kind
    /// The remote function (or actor method) that failed.
    public let functionName: String
    public let workerPID: Int32
    public let nodeID: NodeID
    /// The original error's description, or what went wrong.
    public let message: String
    public let taskID: TaskID

    init(_ record: ErrorRecord) {
        switch record.kind {
        case .taskFailed: kind = .remoteFunctionThrew
        case .workerDied: kind = .workerDied
        case .infeasible: kind = .infeasible
        case .objectStore: kind = .objectStore
        case .system: kind = .system
        case .actorDied: kind = .actorDied
        case .nodeDied: kind = .nodeDied
        }
        functionName = record.functionName
        workerPID = record.workerPID
        nodeID = record.nodeID
        message = record.message
        taskID = record.taskID
    }

    public var description: String {
        switch kind {
        case .remoteFunctionThrew:
            "remote function \(functionName) failed on worker pid \(workerPID), node \(nodeID): \(message)"
        case .workerDied:
            "worker died: worker pid \(workerPID) on node \(nodeID) exited while running \(functionName): \(message)"
        case .infeasible:
            "task \(functionName) cannot be scheduled: \(message)"
        case .actorDied:
            "\(functionName) could not run: \(message)"
        case .nodeDied:
            "\(functionName.isEmpty ? "an object" : functionName) was lost: \(message)"
        case .objectStore, .system:
            "\(functionName.isEmpty ? "" : functionName + ": ")\(message)"
        }
    }
}
