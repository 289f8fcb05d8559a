import Glibc
import RayCore

/// Runs one task in this process: resolves the function by name, decodes its arguments, calls
/// it, and encodes each return value, or an error object for each when anything fails. An
/// argument that is itself an error object fails the task with that same root error.
enum TaskRunner {
    struct Outcome {
        var returns: [(id: ObjectID, payload: PayloadWriter)]
        /// A new failure to report (not set when a failure is only passed on from an argument).
        var error: ErrorRecord?

        /// The task ran and returned values: no failure of its own, none passed on.
        var succeeded: Bool {
            error == nil && returns.allSatisfy { entry in
                entry.payload.bytes.withUnsafeBytes { (try? ObjectPayload.kind(of: $0)) != .error }
            }
        }
    }

    static func run(_ spec: TaskSpec, arguments: [TaskArguments.Source], nodeID: NodeID, gpuIDs: [Int]) async -> Outcome {
        await guarded(spec, arguments: arguments, nodeID: nodeID) {
            let function = try FunctionDirectory.function(named: spec.functionName, displayName: spec.displayName)
            let context = SubmissionContext(taskID: spec.taskID, gpuIDs: gpuIDs)
            return try await SubmissionContext.$current.withValue(context) {
                try await execute(function, TaskArguments(sources: arguments, functionName: spec.displayName))
            }
        }
    }

    /// Runs `body` unless an argument is an error object, and turns its result or error into
    /// the task's return objects.
    static func guarded(_ spec: TaskSpec, arguments: [TaskArguments.Source], nodeID: NodeID,
                        _ body: () async throws -> [PayloadWriter]) async -> Outcome {
        for case let .object(buffer) in arguments {
            if let root = ObjectCodec.error(in: buffer) { return failed(spec, root, report: false) }
        }
        do {
            let payloads = try await body()
            guard payloads.count == spec.returnCount else {
                throw RayError.system("\(spec.displayName) produced \(payloads.count) values for \(spec.returnCount) returns")
            }
            return Outcome(returns: zip(spec.returnIDs, payloads).map { ($0, $1) }, error: nil)
        } catch let error as TaskError {
            // A nested `get` failed: pass the root cause on.
            return failed(spec, record(of: error, spec: spec), report: false)
        } catch {
            let record = ErrorRecord(kind: .taskFailed, jobID: spec.jobID, taskID: spec.taskID, functionName: spec.displayName,
                                     workerPID: getpid(), nodeID: nodeID, message: describe(error))
            return failed(spec, record, report: true)
        }
    }

    private static func execute(_ function: any RemoteFunction.Type, _ arguments: TaskArguments) async throws -> [PayloadWriter] {
        try await function._execute(arguments).map { $0.writer }
    }

    static func failed(_ spec: TaskSpec, _ record: ErrorRecord, report: Bool) -> Outcome {
        let payload = ObjectPayload.error(record)
        return Outcome(returns: spec.returnIDs.map { ($0, PayloadWriter(bytes: payload, contained: [])) }, error: report ? record : nil)
    }

    static func record(of error: TaskError, spec: TaskSpec) -> ErrorRecord {
        let kind: ErrorRecord.Kind = switch error.kind {
        case .remoteFunctionThrew: .taskFailed
        case .workerDied: .workerDied
        case .infeasible: .infeasible
        case .objectStore: .objectStore
        case .system: .system
        case .actorDied: .actorDied
        case .nodeDied: .nodeDied
        }
        return ErrorRecord(kind: kind, jobID: spec.jobID, taskID: error.taskID, functionName: error.functionName,
                           workerPID: error.workerPID, nodeID: error.nodeID, message: error.message)
    }

    /// The error's type and its own description, e.g. "Failure: failed because the input was odd".
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        let typeName = String(describing: type(of: error))
        return text.hasPrefix(typeName) ? text : "\(typeName): \(text)"
    }
}
