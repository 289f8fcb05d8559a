import Glibc
import RayCore
import RayTransport

/// Where callers reach the actor living in this worker: a Unix socket of its own for callers on
/// its node, and in a multi-node cluster a TCP port for the others; one connection per calling
/// process. Each connection's reader hands the calls to the actor's mailbox and sends each
/// result back on the same connection, so a call and its answer cross no other process.
enum ActorCallServer {
    /// Starts accepting callers of the actor created by `creation` (its initializer has run);
    /// returns where they reach it.
    static func start(for creation: TaskSpec, gpuIDs: [Int], core: ClusterCoreWorker) throws -> ActorAddress {
        let log = RayLogging.logger("actor")
        var listeners = [try Listener(path: SessionLayout(directory: core.sessionDirectory).actorSocket(creation.taskID),
                                      secret: core.secret, log: log)]
        if let token = core.clusterToken {
            listeners.append(try Listener(tcp: try NetworkAddress(host: core.nodeIP, port: 0), token: token, log: log))
        }
        for listener in listeners { serve(listener, gpuIDs: gpuIDs, core: core) }
        let address = ActorAddress(node: core.nodeID.value, tcp: listeners.dropFirst().first?.address?.description ?? "")
        if !address.tcp.isEmpty { core.registerActorAddress(creation.taskID, address) }
        return address
    }

    private static func serve(_ listener: Listener, gpuIDs: [Int], core: ClusterCoreWorker) {
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
