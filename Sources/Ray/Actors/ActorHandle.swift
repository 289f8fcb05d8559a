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
        try await record { _ = try await call($0) }
    }

    /// The same for a method that returns nothing: the ref tells when it finished (or why not).
    public func remote(_ call: @Sendable (A) async throws -> Void) async throws -> ObjectRef<Empty> {
        try await record { try await call($0) }
    }

    /// Runs `call` on a proxy of the actor with a capture box: the distributed method it calls is
    /// submitted as an actor task and its result ref comes back in the box, thrown.
    private func record<R>(_ call: (A) async throws -> Void) async throws -> ObjectRef<R> {
        let capture = CapturedCall()
        do {
            try await onCallerThread {
                try await RayActorSystem.$capture.withValue(capture) {
                    // A proxy even when the actor lives in this process (`RayActorSystem.resolve`
                    // declines while capturing): the call then goes through the actor's mailbox,
                    // in order with every other call.
                    try await call(try A.resolve(id: id, using: .shared))
                }
            }
        } catch let captured as CapturedCall where captured === capture {
            return try reference(captured)
        }
        throw RayError.invalidArgument("remote { } must call exactly one distributed method of \(A.self)")
    }

    /// Runs `body` preferring `CallerThreadExecutor`, unless the task already prefers an executor
    /// (a worker's tasks prefer their reader thread, which is better still).
    private func onCallerThread<T>(_ body: () async throws -> T) async throws -> T {
        if withUnsafeCurrentTask(body: { $0?.unownedTaskExecutor != nil }) { return try await body() }
        return try await withTaskExecutorPreference(CallerThreadExecutor.shared) { try await body() }
    }

    private func reference<R>(_ captured: CapturedCall) throws -> ObjectRef<R> {
        guard let holder = captured.holder, let id = holder.firstID else {
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
        if let decoder = decoder as? ObjectIDDecoding {
            self.init(decodedObjectID: try decoder.decodeObjectID())
        } else {
            self.init(decodedObjectID: try RayActorID(from: decoder).handleObject)
        }
    }
}

extension ActorHandle: ObjectIDDecodable {
    /// The handle whose handle object `handleObject` was read from a value: a new holder in this
    /// process.
    public init(decodedObjectID handleObject: ObjectID) {
        let id = RayActorID(handleObject.task)
        self.init(id: id, holder: CoreWorkerRegistry.current?.hold(id.handleObject, countedByNode: false))
    }
}
