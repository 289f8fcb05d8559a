import Distributed
import RayCore

/// A stateful worker: a `distributed actor` whose instance lives in a worker process of its own
/// and whose methods run there, in the order each caller called them.
///
/// ```swift
/// distributed actor Counter: RayActor {
///     typealias ActorSystem = RayActorSystem
///     var value = 0
///     init(actorSystem: RayActorSystem, arguments: NoArguments) { self.actorSystem = actorSystem }
///     distributed func increment() -> Int { value += 1; return value }
/// }
/// let counter = try await ray.createActor(Counter.self)
/// let one = try await counter.remote { try await $0.increment() }   // ObjectRef<Int>
/// ```
/// Actor types must not be `private` or `fileprivate`: workers find them by name.
public protocol RayActor: DistributedActor where ActorSystem == RayActorSystem {
    /// What the initializer takes: a `Codable` value (a struct for several, `NoArguments` for none).
    associatedtype Arguments: Codable & Sendable
    /// Runs in the actor's own worker process.
    init(actorSystem: RayActorSystem, arguments: Arguments) async throws
    /// What the actor holds for its whole life (default: nothing, like Ray's actors).
    static var resources: Resources { get }
    /// How many method calls may run at once; more than 1 suits `async` methods that wait.
    static var maxConcurrency: Int { get }
}

extension RayActor {
    public static var resources: Resources { Resources() }
    public static var maxConcurrency: Int { 1 }

    /// Builds the instance in the worker, with the ID its creator chose.
    static func _create(system: RayActorSystem, id: RayActorID, arguments: TaskArguments) async throws -> Self {
        let decoded = try arguments.decode(0, as: Arguments.self)
        return try await RayActorSystem.$assigningID.withValue(id) {
            try await Self(actorSystem: system, arguments: decoded)
        }
    }
}

/// The initializer argument of actors that take none.
public struct NoArguments: Codable, Sendable, Equatable {
    public init() {}
}

/// The result of a method that returns nothing.
public struct Empty: Codable, Sendable, Equatable {
    public init() {}
}
