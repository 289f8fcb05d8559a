import Glibc
import RayCore
import RayTransport

/// Where callers reach the actor living in this worker: a Unix socket of its own, one connection
/// per calling process. Each connection's reader hands the calls to the actor's mailbox and sends
/// each result back on the same connection, so a call and its answer cross no other process.
enum ActorCallServer {
    /// Starts accepting callers of the actor created by `creation` (its initializer has run).
    static func start(for creation: TaskSpec, gpuIDs: [Int], core: ClusterCoreWorker) throws {
        let listener = try Listener(path: SessionLayout(directory: core.sessionDirectory).actorSocket(creation.taskID),
                                    secret: core.secret, log: RayLogging.logger("actor"))
        // Each authenticated caller arrives on a thread of its own, which reads its calls.
        listener.start { connection in
            core.taskExecutor?.adoptCurrentThread()
            connection.readLoop(onMessages: { messages in
                for case let .executeTask(spec, _, _) in messages {
                    enqueue(spec, gpuIDs: gpuIDs, replyingOn: connection, core: core)
                }
                core.taskExecutor?.runPending()
            }, onClose: { _ in
                // The caller went away; calls of its that still run finish unanswered.
                connection.close()
            })
        }
    }

    private static func enqueue(_ spec: TaskSpec, gpuIDs: [Int], replyingOn connection: FramedConnection, core: ClusterCoreWorker) {
        let arguments: [TaskArguments.Source] = spec.arguments.map { argument in
            if case let .value(bytes) = argument { .encoded(bytes) } else { .encoded([]) }
        }
        let job = ActorHost.Job(spec: spec, arguments: arguments, nodeID: core.nodeID, gpuIDs: gpuIDs) { outcome in
            let results = WorkerRuntime.returnValues(of: spec, outcome, core: core)
            if let error = outcome.error { core.report(error) }
            // The caller keeps refs passed in the arguments until it has the answer; holds the
            // call took on them must reach the raylet first.
            core.sendPendingHolds()
            try? connection.send(.taskDone(taskID: spec.taskID, results: results, error: outcome.error))
        }
        ActorHost.shared.enqueue(job, executor: core.taskExecutor)
    }
}
