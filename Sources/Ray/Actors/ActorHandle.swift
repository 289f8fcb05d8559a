import Distributed
import RayCore

/// A handle on an actor: call its methods through `remote` (a ref, at once) or through `actor`
/// (awaiting the result). The actor lives while any handle to it exists anywhere in the cluster
/// (unless it is detached); handles may be passed to tasks and actors and stored in values.
public struct ActorHandle<A: RayActor>: Sendable, Hashable, Codable, CustomStringConvertible {
    public let id: RayActorID
    let holder: ReferenceHolder?

    init(id: RayActorID, holder: ReferenceHolder?) {
        self.id = id
        self.holder = holder
    }

    /// The actor itself, for awaited calls: `try await handle.actor.increment()`. Keep the handle
    /// while you use it: the handle, not this reference, keeps the actor alive.
    public var actor: A {
        get throws { try A.resolve(id: id, using: .shared) }
    }

    /// Submits one method call and returns the ref of its result once the call is sent, without
    /// waiting for it to run: `let ref = try await counter.remote { try await $0.increment() }`.
    public func remote<R: Codable & Sendable>(_ call: @Sendable (A) async throws -> R) async throws -> ObjectRef<R> {
        let actor = try actor
        let capture = CapturedCall()
        do {
            let value = try await onCallerThread(recording: actor) {
                try await RayActorSystem.$capture.withValue(capture) { try await call(actor) }
            }
            // The actor is in this process, so the call ran directly: store its result.
            return try Ray.current().put(value)
        } catch let captured as CapturedCall where captured === capture {
            return try reference(captured)
        }
    }

    /// The same for a method that returns nothing: the ref tells when it finished (or why not).
    public func remote(_ call: @Sendable (A) async throws -> Void) async throws -> ObjectRef<Empty> {
        let actor = try actor
        let capture = CapturedCall()
        do {
            try await onCallerThread(recording: actor) {
                try await RayActorSystem.$capture.withValue(capture) { try await call(actor) }
            }
            return try Ray.current().put(Empty())
        } catch let captured as CapturedCall where captured === capture {
            return try reference(captured)
        }
    }

    /// Runs `body`, which records a call on `actor`, preferring `CallerThreadExecutor`; unless the
    /// task already prefers an executor (a worker's tasks prefer their reader thread, which is
    /// better still), or the actor lives in this process (the call then really runs, and may
    /// wait on anything, which must not resume inline on an arbitrary thread).
    private func onCallerThread<T>(recording actor: A, _ body: () async throws -> T) async throws -> T {
        if !__isRemoteActor(actor) || withUnsafeCurrentTask(body: { $0?.unownedTaskExecutor != nil }) { return try await body() }
        return try await withTaskExecutorPreference(CallerThreadExecutor.shared) { try await body() }
    }

    private func reference<R>(_ captured: CapturedCall) throws -> ObjectRef<R> {
        guard let holder = captured.holder, let id = holder.ids.first else {
            throw RayError.invalidArgument("remote { } must call exactly one distributed method of \(A.self)")
        }
        return ObjectRef(id: id, holder: holder)
    }

    public var description: String { "ActorHandle<\(A.self)>(\(id.taskID.hex))" }

    public static func == (lhs: ActorHandle, rhs: ActorHandle) -> Bool { lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }

    /// Encoded as the actor's handle object, so an object that holds a handle keeps the actor alive.
    public func encode(to encoder: any Encoder) throws {
        if let encoder = encoder as? ObjectIDEncoding {
            try encoder.encodeObjectID(id.handleObject)
        } else {
            try id.encode(to: encoder)
        }
    }

    public init(from decoder: any Decoder) throws {
        let id = if let decoder = decoder as? ObjectIDDecoding {
            RayActorID(try decoder.decodeObjectID().task)
        } else {
            try RayActorID(from: decoder)
        }
        // A handle that arrives inside a value is a new holder in this process.
        self.init(id: id, holder: CoreWorkerRegistry.current?.hold([id.handleObject], countedByNode: false))
    }
}
