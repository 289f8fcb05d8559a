import Distributed
import RayCore
import Synchronization

/// The actors living in this process and their mailboxes: each actor's tasks (its creation,
/// then its method calls) run in arrival order, at most `maxConcurrency` calls at a time.
final class ActorHost: Sendable {
    static let shared = ActorHost()

    struct Job: Sendable {
        let spec: TaskSpec
        let arguments: [TaskArguments.Source]
        let nodeID: NodeID
        let gpuIDs: [Int]
        let done: @Sendable (TaskRunner.Outcome) -> Void
    }

    private let mailboxes = Mutex<[TaskID: AsyncStream<Job>.Continuation]>([:])
    private let instances = Mutex<[TaskID: any DistributedActor]>([:])

    /// Queues `job` for its actor; a new actor's mailbox is drained by a task preferring `executor`.
    func enqueue(_ job: Job, executor: (any TaskExecutor)?) {
        guard let info = job.spec.actor else { return }
        let mailbox = mailboxes.withLock { boxes in
            if let existing = boxes[info.actorID] { return existing }
            let (stream, continuation) = AsyncStream.makeStream(of: Job.self)
            boxes[info.actorID] = continuation
            let limit = max(1, info.maxConcurrency)
            Task(executorPreference: executor) { await self.drain(stream, limit: limit) }
            return continuation
        }
        mailbox.yield(job)
    }

    private func drain(_ stream: AsyncStream<Job>, limit: Int) async {
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for await job in stream {
                if limit == 1 || job.spec.actor?.kind == .creation {
                    await run(job)
                    continue
                }
                if running >= limit {
                    await group.next()
                    running -= 1
                }
                group.addTask { await self.run(job) }
                running += 1
            }
        }
    }

    private func run(_ job: Job) async {
        let spec = job.spec
        let context = SubmissionContext(taskID: spec.taskID, gpuIDs: job.gpuIDs)
        let outcome = await TaskRunner.guarded(spec, arguments: job.arguments, nodeID: job.nodeID) {
            try await SubmissionContext.$current.withValue(context) {
                let arguments = TaskArguments(sources: job.arguments, functionName: spec.displayName)
                switch spec.actor?.kind {
                case .creation: return try await create(spec, arguments: arguments)
                default: return try await call(spec, arguments: arguments)
                }
            }
        }
        job.done(outcome)
    }

    private func create(_ spec: TaskSpec, arguments: TaskArguments) async throws -> [PayloadWriter] {
        guard let type = _typeByName(spec.functionName), let actorType = type as? any RayActor.Type else {
            throw RayError.system("actor type \(spec.displayName) was not found in this executable by its name \(spec.functionName); "
                + "actor types must not be private or fileprivate")
        }
        let instance = try await actorType._create(system: .shared, id: RayActorID(spec.taskID), arguments: arguments)
        instances.withLock { $0[spec.taskID] = instance }
        return [try ObjectCodec.payload(for: Empty())]
    }

    private func call(_ spec: TaskSpec, arguments: TaskArguments) async throws -> [PayloadWriter] {
        guard let actorID = spec.actor?.actorID, let instance = instances.withLock({ $0[actorID] }) else {
            throw RayError.system("actor died: the actor is not in this worker")
        }
        var decoder = RayInvocationDecoder(arguments: arguments, substitutions: spec.actor?.genericSubstitutions ?? [])
        let handler = RayResultHandler()
        try await execute(on: instance, target: RemoteCallTarget(spec.functionName), decoder: &decoder, handler: handler)
        switch handler.result {
        case let .value(payload)?: return [payload]
        case let .failure(error)?: throw error
        case nil: throw RayError.system("\(spec.displayName) finished without a result")
        }
    }

    @concurrent private func execute<Act: DistributedActor>(on actor: Act, target: RemoteCallTarget, decoder: inout RayInvocationDecoder,
                                                handler: RayResultHandler) async throws {
        try await DistributedTargetRunner.run(target, on: actor, decoder: &decoder, handler: handler)
    }
}
