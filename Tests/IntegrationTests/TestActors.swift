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
