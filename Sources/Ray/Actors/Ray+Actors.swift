import Distributed
import RayCore

extension Ray {
    /// Creates an actor: a worker process of its own is started (or taken) and the initializer
    /// runs there with `arguments`. Returns the handle at once, as in Ray; calls made before the
    /// actor is ready wait for it. Throws at once only when a name is taken. Anything that
    /// keeps the actor from starting (more resources than the cluster has, a throwing
    /// initializer, a worker that cannot start) surfaces at `ready(_:)`, the check to use, and
    /// in every call, which throw the reason.
    public func createActor<A: RayActor>(_ type: A.Type, arguments: A.Arguments, options: ActorOptions = ActorOptions()) async throws
        -> ActorHandle<A> {
        let context = core.currentContext
        let taskID = context.nextTaskID()
        if let name = options.name { try await core.registerActorName(name, actorID: taskID) }
        let encoded = try ObjectCodec.encode(arguments)
        let argument: TaskArgument
        if encoded.containedObjectIDs.isEmpty {
            argument = .value(encoded.bytes)
        } else {
            let id = context.nextPutID()
            try core.store(id, try ObjectCodec.payload(for: arguments))
            argument = .reference(id)
        }
        let concurrency = options.maxConcurrency ?? A.maxConcurrency
        guard concurrency >= 1 else { throw RayError.invalidArgument("maxConcurrency must be at least 1, not \(concurrency)") }
        let spec = TaskSpec(taskID: taskID, jobID: core.jobID, parentTaskID: context.taskID,
                            functionName: _mangledTypeName(A.self) ?? String(reflecting: A.self), displayName: String(reflecting: A.self),
                            arguments: [argument], returnCount: 1, resources: options.resources ?? A.resources,
                            actor: ActorTaskInfo(kind: .creation, actorID: taskID, maxConcurrency: concurrency, detached: options.detached))
        try core.submit(spec)
        return ActorHandle(id: RayActorID(taskID), holder: core.hold(spec.returnIDs, countedByNode: true))
    }

    /// Creates an actor whose initializer takes no arguments.
    public func createActor<A: RayActor>(_ type: A.Type, options: ActorOptions = ActorOptions()) async throws -> ActorHandle<A>
        where A.Arguments == NoArguments {
        try await createActor(type, arguments: NoArguments(), options: options)
    }

    /// The handle of the actor created with `name`, from any program connected to the cluster.
    public func actor<A: RayActor>(named name: String, as type: A.Type = A.self) async throws -> ActorHandle<A> {
        guard let taskID = try await core.lookupActorName(name) else {
            throw RayError.invalidArgument("no actor is named \"\(name)\"")
        }
        let id = RayActorID(taskID)
        return ActorHandle(id: id, holder: core.hold(id.handleObject, countedByNode: false))
    }

    /// Ends the actor at once: its process is killed, pending calls fail with "actor died",
    /// and its resources return to the node.
    public func kill<A>(_ handle: ActorHandle<A>) throws {
        try core.killActor(handle.id.taskID)
    }

    /// Waits until the actor's initializer has run; rethrows its error if it failed.
    public func ready<A>(_ handle: ActorHandle<A>) async throws {
        _ = try await get(ObjectRef<Empty>(id: handle.id.handleObject, holder: handle.holder))
    }
}
