import CRaySupport
import Foundation
import Glibc
import RayCore
import RayTransport

/// The life of a worker process: connect to the raylet that started it, then run each task it
/// assigns, one at a time, on the thread that reads the raylet connection, and report the results.
enum WorkerRuntime {
    static func run(environment: [String: String]) -> Never {
        guard let socket = environment[RayEnvironmentKey.rayletSocket], let token = environment[RayEnvironmentKey.workerToken].flatMap(UInt64.init),
              let job = environment[RayEnvironmentKey.jobID].flatMap(UInt32.init) else {
            ServiceMain.fail("worker started without RAY_RAYLET_SOCKET, RAY_WORKER_TOKEN and RAY_JOB_ID")
        }
        // A worker's stdout is a pipe; line buffering lets each line reach the driver as it is printed.
        cray_line_buffer_stdout()
        let registration = ClientRegistration(kind: .worker, pid: getpid(), jobID: JobID(job), workerToken: token)
        do {
            let core = try ClusterCoreWorker(rayletSocket: socket, gcs: try GCSEndpoint.fromEnvironment(environment), registration: registration,
                                             secret: ServiceMain.sessionSecret(environment), seed: nil,
                                             nodeIP: environment[RayEnvironmentKey.nodeIP] ?? "127.0.0.1",
                                             clusterToken: environment[RayEnvironmentKey.clusterToken].flatMap(ClusterToken.init(hex:)),
                                             onTask: { core, spec, arguments, gpuIDs in
                                                 execute(spec, arguments: arguments, gpuIDs: gpuIDs, core: core)
                                             }, onDisconnect: { exit(0) })
            CoreWorkerRegistry.install(core)
        } catch {
            ServiceMain.fail("worker could not connect to the raylet at \(socket): \(error)")
        }
        while true { pause() }
    }

    /// Takes one assigned task: starts it, queues it behind the running one, or gives it back
    /// when the running one is blocked (see `WorkerTaskQueue`). An actor creation goes to its
    /// mailbox (the actor's method calls come from its callers directly, see `ActorCallServer`).
    private static func execute(_ spec: TaskSpec, arguments: [ObjectLocation], gpuIDs: [Int], core: ClusterCoreWorker) {
        // The first task can arrive before `run` has installed the connection.
        if CoreWorkerRegistry.current == nil { CoreWorkerRegistry.install(core) }
        let assignment = WorkerTaskQueue.Assignment(spec: spec, arguments: arguments, gpuIDs: gpuIDs)
        guard spec.actor == nil, let queue = core.taskQueue else { return start(assignment, core: core) }
        switch queue.arrived(assignment) {
        case .start: start(assignment, core: core)
        case .queued: break
        case .giveBack: try? core.send(.returnTasks([spec.taskID]))
        }
    }

    /// Starts a task (it runs when the reader thread is done with this message) and reports its
    /// results; then starts the next queued task.
    private static func start(_ assignment: WorkerTaskQueue.Assignment, core: ClusterCoreWorker) {
        let spec = assignment.spec
        var byID = [ObjectID: [ObjectLocation]]()
        for location in assignment.arguments { byID[location.id, default: []].append(location) }
        let sources: [TaskArguments.Source] = spec.arguments.map { argument in
            switch argument {
            case let .value(bytes): return .encoded(bytes)
            case let .reference(id):
                guard let location = byID[id]?.popLast() else {
                    return .encoded([])
                }
                return .object(core.buffer(at: location))
            }
        }
        let gpuIDs = assignment.gpuIDs
        setenv("CUDA_VISIBLE_DEVICES", gpuIDs.map(String.init).joined(separator: ","), 1)
        if spec.actor != nil {
            // An actor's creation: once its initializer has run, callers connect to it directly.
            let created: @Sendable (TaskRunner.Outcome) -> Void = { outcome in
                var outcome = outcome
                if outcome.succeeded {
                    do {
                        // The handle object says where callers reach the actor.
                        let address = try ActorCallServer.start(for: spec, gpuIDs: gpuIDs, core: core)
                        let payload = try ObjectCodec.payload(for: address)
                        outcome.returns = outcome.returns.map { ($0.0, payload) }
                    } catch {
                        let record = ErrorRecord(kind: .system, jobID: spec.jobID, taskID: spec.taskID, functionName: spec.displayName,
                                                 workerPID: getpid(), nodeID: core.nodeID,
                                                 message: "the actor could not listen for calls: \(error)")
                        outcome = TaskRunner.failed(spec, record, report: true)
                    }
                }
                finish(spec, outcome, core: core)
            }
            ActorHost.shared.enqueue(ActorHost.Job(spec: spec, arguments: sources, nodeID: core.nodeID, gpuIDs: gpuIDs, done: created),
                                     executor: core.taskExecutor)
            return
        }
        Task(executorPreference: core.taskExecutor) {
            finish(spec, await TaskRunner.run(spec, arguments: sources, nodeID: core.nodeID, gpuIDs: gpuIDs), core: core)
            if let next = core.taskQueue?.finished() { start(next, core: core) }
        }
    }

    /// Sends a task's results to the raylet.
    private static func finish(_ spec: TaskSpec, _ outcome: TaskRunner.Outcome, core: ClusterCoreWorker) {
        try? core.send(.taskDone(taskID: spec.taskID, results: returnValues(of: spec, outcome, core: core), error: outcome.error))
    }

    /// A task's results as sent: small ones inline, large ones stored in the node's store first.
    static func returnValues(of spec: TaskSpec, _ outcome: TaskRunner.Outcome, core: ClusterCoreWorker) -> [ReturnValue] {
        var results = [ReturnValue]()
        for (id, payload) in outcome.returns {
            if payload.size <= ClusterCoreWorker.inlineLimit {
                results.append(.inline(id: id, payload: payload.bytes, contained: payload.contained))
            } else {
                do {
                    try core.store(id, payload)
                    results.append(.stored(id: id))
                } catch {
                    let record = ErrorRecord(kind: .objectStore, jobID: spec.jobID, taskID: spec.taskID,
                                             functionName: spec.displayName, workerPID: getpid(), nodeID: core.nodeID,
                                             message: "could not store the result: \(error)")
                    results.append(.inline(id: id, payload: ObjectPayload.error(record), contained: []))
                }
            }
        }
        return results
    }
}
