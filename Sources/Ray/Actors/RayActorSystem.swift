import Distributed
import RayCore
import Synchronization

/// The `DistributedActorSystem` of Ray actors: a method call on an actor becomes an actor task
/// sent straight to the actor's worker, and its result an object in the store.
public final class RayActorSystem: DistributedActorSystem, Sendable {
    public typealias ActorID = RayActorID
    public typealias InvocationEncoder = RayInvocationEncoder
    public typealias InvocationDecoder = RayInvocationDecoder
    public typealias ResultHandler = RayResultHandler
    public typealias SerializationRequirement = Codable

    /// The one system of this process.
    public static let shared = RayActorSystem()

    /// The ID an actor being created in this task must take (set by the worker that hosts it).
    @TaskLocal static var assigningID: RayActorID?
    /// Set while `ActorHandle.remote` records a call instead of waiting for it.
    @TaskLocal static var capture: CapturedCall?

    /// Actors hosted in this process, by ID.
    private let local = Mutex<[RayActorID: any DistributedActor]>([:])

    private init() {}

    public func resolve<Act>(id: ActorID, as actorType: Act.Type) throws -> Act? where Act: DistributedActor, Act.ID == ActorID {
        // `ActorHandle.remote` records calls on a proxy, never on the local instance.
        guard Self.capture == nil, let actor = local.withLock({ $0[id] }) else { return nil }
        guard let typed = actor as? Act else {
            throw RayError.invalidArgument("\(id) is a \(type(of: actor)), not a \(Act.self)")
        }
        return typed
    }

    public func assignID<Act>(_ actorType: Act.Type) -> ActorID where Act: DistributedActor, Act.ID == ActorID {
        Self.assigningID ?? RayActorID(CoreWorkerRegistry.current?.currentContext.nextTaskID() ?? TaskID(high: .random(in: 1 ... .max), low: 0))
    }

    public func actorReady<Act>(_ actor: Act) where Act: DistributedActor, Act.ID == ActorID {
        local.withLock { $0[actor.id] = actor }
    }

    public func resignID(_ id: ActorID) {
        local.withLock { _ = $0.removeValue(forKey: id) }
    }

    func localActor(_ id: RayActorID) -> (any DistributedActor)? { local.withLock { $0[id] } }

    public func makeInvocationEncoder() -> InvocationEncoder { RayInvocationEncoder() }

    public func remoteCall<Act, Err, Res>(on actor: Act, target: RemoteCallTarget, invocation: inout InvocationEncoder,
                                          throwing: Err.Type, returning: Res.Type) async throws -> Res
        where Act: DistributedActor, Act.ID == ActorID, Err: Error, Res: Codable {
        let (core, holder) = try submit(on: actor, target: target, invocation: invocation)
        if let capture = Self.capture {
            capture.record(holder)
            throw capture
        }
        let buffers = try await core.get(holder.ids)
        return try ObjectCodec.decode(Res.self, from: buffers[0])
    }

    public func remoteCallVoid<Act, Err>(on actor: Act, target: RemoteCallTarget, invocation: inout InvocationEncoder,
                                         throwing: Err.Type) async throws
        where Act: DistributedActor, Act.ID == ActorID, Err: Error {
        let (core, holder) = try submit(on: actor, target: target, invocation: invocation)
        if let capture = Self.capture {
            capture.record(holder)
            throw capture
        }
        let buffers = try await core.get(holder.ids)
        _ = try ObjectCodec.decode(Empty.self, from: buffers[0])
    }

    /// Sends the call as an actor task; the returned holder keeps its result object.
    private func submit<Act: DistributedActor>(on actor: Act, target: RemoteCallTarget, invocation: InvocationEncoder) throws
        -> (any CoreWorker, ReferenceHolder) where Act.ID == ActorID {
        let core = try CoreWorkerRegistry.require()
        let context = core.currentContext
        let taskID = context.nextTaskID()
        let spec = TaskSpec(taskID: taskID, jobID: core.jobID, parentTaskID: context.taskID, functionName: target.identifier,
                            displayName: Self.displayName(of: target, on: Act.self), arguments: invocation.arguments.map { .value($0) },
                            returnCount: 1, resources: Resources(),
                            actor: ActorTaskInfo(kind: .method, actorID: actor.id.taskID, genericSubstitutions: invocation.substitutions))
        return (core, try core.callActor(spec, keepingAlive: invocation.containedObjectIDs))
    }

    /// Display names by target identifier: building one takes the type's name from the runtime
    /// and splits strings, too slow to repeat on every call.
    private static let displayNames = Mutex<[DisplayNameKey: String]>([:])

    private struct DisplayNameKey: Hashable {
        let target: String
        /// A generic actor type has one target per method but a name per specialization.
        let actorType: ObjectIdentifier
    }

    /// `Counter.increment()`, for errors and logs.
    static func displayName<Act>(of target: RemoteCallTarget, on actorType: Act.Type) -> String {
        let key = DisplayNameKey(target: target.identifier, actorType: ObjectIdentifier(Act.self))
        if let known = displayNames.withLock({ $0[key] }) { return known }
        let name = "\(Act.self).\(methodName(target))"
        displayNames.withLock { $0[key] = name }
        return name
    }

    /// `increment()` from the target's description, which may be mangled or qualified.
    static func methodName(_ target: RemoteCallTarget) -> String {
        let text = target.description
        guard let last = text.split(separator: ".").last, !text.hasPrefix("$s") else { return text }
        return String(last)
    }
}

/// Thrown out of a captured call once it is submitted, carrying the holder of its result.
final class CapturedCall: Error, @unchecked Sendable {
    private(set) var holder: ReferenceHolder?

    func record(_ holder: ReferenceHolder) { self.holder = holder }
}
