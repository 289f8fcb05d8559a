import Foundation
import Testing
@testable import Ray

extension ClusterTests {
    @Suite struct LocalModeTests {
        @Test func localModeRunsTasksInTheDriverWithTheSameAPI() async throws {
            try await withCluster(RayOptions(cpus: 1, mode: .local)) { ray in
                #expect(try await ray.get(WorkerPID.remote()) == getpid())
                #expect(try await ray.get(Sum3.remote(1, ray.put(2), Double2.remote(3))) == 9)
                let experiments = try (0..<5).map { try RunExperiment.remote($0) }
                #expect(try await ray.get(experiments) == [45, 55, 65, 75, 85])
                let error = try await #require(throws: TaskError.self) { try await ray.get(try Thrower.remote("local")) }
                #expect(error.message.contains("failed because local"))
                #expect(try await ray.errorInfo().count == 1)
                // The timeout only bounds the wait: it returns when the first is ready (the CPU-heavy codec tests
                // running beside it can hold the cooperative pool for seconds).
                let (ready, _) = try await ray.wait([try Napper.remote(0), try Napper.remote(5)], numReturns: 1, timeout: .seconds(30))
                #expect(ready.count == 1)
            }
        }

        @Test func aNewActorsCallsRunInOrderInLocalMode() async throws {
            try await withCluster(RayOptions(cpus: 1, mode: .local)) { ray in
                for _ in 0..<5 {
                    let counter = try await ray.createActor(Counter.self)
                    let refs = try await (0..<100).asyncMap { _ in try await counter.remote { try await $0.increment() } }
                    #expect(try await ray.get(refs) == Array(1...100))
                }
            }
        }
    }
}

extension Sequence {
    /// `map` with an async transform, one element after another.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results = [T]()
        for element in self { results.append(try await transform(element)) }
        return results
    }

    /// `filter` with an async predicate, one element after another.
    func asyncFilter(_ isIncluded: (Element) async throws -> Bool) async rethrows -> [Element] {
        var results = [Element]()
        for element in self where try await isIncluded(element) { results.append(element) }
        return results
    }
}
