import Distributed
import Foundation
import Ray

// The remote functions and actors of Ray's `ray microbenchmark` (python/ray/_private/ray_perf.py),
// in Swift.

struct SmallValue: RemoteFunction0 {
    static func run() -> String { "ok" }
}

struct SmallValueBatch: RemoteFunction1 {
    static func run(_ n: Int) async throws -> Int {
        let submitted = try (0..<n).map { _ in try SmallValue.remote() }
        _ = try await Ray.current().get(submitted)
        return 0
    }
}

struct PutSmallHundredTimes: RemoteFunction0 {
    static func run() throws -> Int {
        let ray = try Ray.current()
        for _ in 0..<100 { _ = try ray.put(0) }
        return 0
    }
}

struct PutTenLarge: RemoteFunction0 {
    static func run() throws -> Int {
        let ray = try Ray.current()
        let array = [Int64](repeating: 0, count: 10 * 1024 * 1024)
        for _ in 0..<10 { _ = try ray.put(array) }
        return 0
    }
}

struct CreateObjectContainingRefs: RemoteFunction0 {
    static func run() throws -> [ObjectRef<Int>] {
        let ray = try Ray.current()
        return try (0..<10_000).map { _ in try ray.put(1) }
    }
}

struct CountFloats: RemoteFunction1 {
    static func run(_ values: NDArray<Float>) -> Int { values.count }
}

struct CallActors: RemoteFunction2 {
    static func run(_ actors: [ActorHandle<BenchActor>], _ n: Int) async throws -> Int {
        var refs: [ObjectRef<String>] = []
        refs.reserveCapacity(n)
        for i in 0..<n { refs.append(try await actors[i % actors.count].remote { try await $0.smallValue() }) }
        _ = try await Ray.current().get(refs)
        return 0
    }
}

distributed actor BenchActor: RayActor {
    typealias ActorSystem = RayActorSystem

    init(actorSystem: RayActorSystem, arguments: NoArguments) {
        self.actorSystem = actorSystem
    }

    distributed func smallValue() -> String { "ok" }
    distributed func smallValueArg(_ x: Int) -> String { "ok" }

    distributed func smallValueBatch(_ n: Int) async throws -> Int {
        let submitted = try (0..<n).map { _ in try SmallValue.remote() }
        _ = try await Ray.current().get(submitted)
        return 0
    }
}

distributed actor AsyncBenchActor: RayActor {
    typealias ActorSystem = RayActorSystem
    static var maxConcurrency: Int { 1000 }

    init(actorSystem: RayActorSystem, arguments: NoArguments) {
        self.actorSystem = actorSystem
    }

    distributed func smallValue() async -> String { "ok" }
    distributed func smallValueArg(_ x: Int) async -> String { "ok" }
}

/// The seed's `Client` actor: calls a set of server actors.
distributed actor BenchClient: RayActor {
    typealias ActorSystem = RayActorSystem
    let servers: [ActorHandle<BenchActor>]

    init(actorSystem: RayActorSystem, arguments: [ActorHandle<BenchActor>]) {
        self.actorSystem = actorSystem
        servers = arguments
    }

    distributed func smallValueBatch(_ n: Int) async throws -> Int {
        var refs: [ObjectRef<String>] = []
        refs.reserveCapacity(n * servers.count)
        for _ in 0..<n {
            for server in servers { refs.append(try await server.remote { try await $0.smallValue() }) }
        }
        _ = try await Ray.current().get(refs)
        return 0
    }

    distributed func smallValueBatchArg(_ n: Int) async throws -> Int {
        var refs: [ObjectRef<String>] = []
        refs.reserveCapacity(n)
        let x = try Ray.current().put(0)
        for i in 0..<n {
            let server = servers[i % servers.count]
            refs.append(try await server.remote { try await $0.smallValueArg(i) })
        }
        _ = x
        _ = try await Ray.current().get(refs)
        return 0
    }
}
