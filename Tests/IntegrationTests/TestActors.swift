import Distributed
import Foundation
import Ray

// Actors used by the integration tests.

distributed actor Counter: RayActor {
    typealias ActorSystem = RayActorSystem
    var value = 0
    var log: [Int] = []

    init(actorSystem: RayActorSystem, arguments: NoArguments) {
        self.actorSystem = actorSystem
    }

    distributed func increment() -> Int {
        value += 1
        return value
    }

    distributed func add(_ amount: Int, tag: Int) -> Int {
        value += amount
        log.append(tag)
        return value
    }

    distributed func history() -> [Int] { log }
    distributed func pid() -> Int32 { getpid() }
    distributed func echo<T: Codable & Sendable>(_ value: T) -> T { value }
    distributed func reset() { value = 0 }

    /// Reads the array behind `ref` after a nap: by then the caller may have dropped its ref.
    distributed func sumLater(_ ref: ObjectRef<[Float]>, nap seconds: Double) async throws -> Double {
        try await Task.sleep(for: .seconds(seconds))
        return try await ref.get().reduce(0) { $0 + Double($1) }
    }

    /// Large enough to travel through the store rather than inside the answer.
    distributed func floats(_ count: Int) -> NDArray<Float> { NDArray((0..<count).map(Float.init), shape: [count]) }

    distributed func fail(_ reason: String) throws -> Int { throw Failure(reason: reason) }

    distributed func nap(_ seconds: Double) async throws -> Int {
        try await Task.sleep(for: .seconds(seconds))
        return value
    }
}

distributed actor Accumulator: RayActor {
    typealias ActorSystem = RayActorSystem
    var total: Int

    init(actorSystem: RayActorSystem, arguments: Int) {
        self.actorSystem = actorSystem
        total = arguments
    }

    /// Calls another actor through its handle.
    distributed func absorb(_ counter: ActorHandle<Counter>) async throws -> Int {
        total += try await counter.actor.increment()
        return total
    }

    /// Sends `count` calls to `counter` at once, then waits for all of them.
    distributed func incrementMany(_ counter: ActorHandle<Counter>, _ count: Int) async throws -> Int {
        var refs: [ObjectRef<Int>] = []
        for _ in 0..<count { refs.append(try await counter.remote { try await $0.increment() }) }
        return try await Ray.current().get(refs).last ?? 0
    }
}

distributed actor GPUHolder: RayActor {
    typealias ActorSystem = RayActorSystem
    static var resources: Resources { Resources(gpus: 1) }

    init(actorSystem: RayActorSystem, arguments: NoArguments) {
        self.actorSystem = actorSystem
    }

    distributed func report() -> GPUReport {
        GPUReport(ids: Ray.gpuIDs, visibleDevices: ProcessInfo.processInfo.environment["CUDA_VISIBLE_DEVICES"] ?? "<unset>")
    }
}

distributed actor Overlapper: RayActor {
    typealias ActorSystem = RayActorSystem
    static var maxConcurrency: Int { 4 }
    var inFlight = 0
    var mostAtOnce = 0

    init(actorSystem: RayActorSystem, arguments: NoArguments) {
        self.actorSystem = actorSystem
    }

    distributed func work() async throws -> Int {
        inFlight += 1
        mostAtOnce = max(mostAtOnce, inFlight)
        try await Task.sleep(for: .milliseconds(200))
        inFlight -= 1
        return mostAtOnce
    }

    distributed func peak() -> Int { mostAtOnce }
}

struct IncrementThrough: RemoteFunction1 {
    static func run(_ counter: ActorHandle<Counter>) async throws -> Int {
        try await counter.actor.increment()
    }
}

/// Sends `count` calls at once from inside a task, then waits for all of them.
struct IncrementMany: RemoteFunction2 {
    static func run(_ counter: ActorHandle<Counter>, _ count: Int) async throws -> Int {
        var refs: [ObjectRef<Int>] = []
        for _ in 0..<count { refs.append(try await counter.remote { try await $0.increment() }) }
        return try await Ray.current().get(refs).last ?? 0
    }
}

/// Waits inside a task for refs it was given, and says how many were ready.
struct WaitForAll: RemoteFunction1 {
    static func run(_ refs: [ObjectRef<Int>]) async throws -> Int {
        try await Ray.current().wait(refs, numReturns: refs.count, timeout: .seconds(10)).ready.count
    }
}

struct MakeDetachedCounter: RemoteFunction1 {
    static func run(_ name: String) async throws -> Int {
        let counter = try await Ray.current().createActor(Counter.self, options: ActorOptions(name: name, detached: true))
        return try await counter.actor.increment()
    }
}

struct CallNamedCounter: RemoteFunction1 {
    static func run(_ name: String) async throws -> Int {
        let counter: ActorHandle<Counter> = try await Ray.current().actor(named: name)
        return try await counter.actor.increment()
    }
}

/// Creates a counter, uses it, and returns its handle: the handle in the result keeps it alive.
struct MakeCounter: RemoteFunction1 {
    static func run(_ start: Int) async throws -> ActorHandle<Counter> {
        let counter = try await Ray.current().createActor(Counter.self)
        for _ in 0..<start { _ = try await counter.actor.increment() }
        return counter
    }
}
