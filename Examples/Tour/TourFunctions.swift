import Foundation
import Ray

// The remote functions of the seed's Tutorial. Each is a named, non-private type; the worker
// processes (this same executable started again) find it by name.

struct Add2: RemoteFunction2 {
    static func run(_ a: Int, _ b: Int) -> Int { a + b }
}

struct Increment: RemoteFunction1 {
    static func run(_ x: Int) -> Int { x + 1 }
}

struct Sleeper: RemoteFunction1 {
    static func run(_ seconds: Double) async throws -> Double {
        try await Task.sleep(for: .seconds(seconds))
        return seconds
    }
}

struct GenerateData: RemoteFunction0 {
    static func run() -> [Double] {
        var generator = SystemRandomNumberGenerator()
        // Box-Muller: standard normal samples, like the seed's np.random.normal(size=1000).
        return (0..<1000).map { _ in
            let u1 = Double.random(in: Double.ulpOfOne..<1, using: &generator)
            let u2 = Double.random(in: 0..<1, using: &generator)
            return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
        }
    }
}

struct AggregateData: RemoteFunction2 {
    static func run(_ x: [Double], _ y: [Double]) -> [Double] { zip(x, y).map(+) }
}

struct SubExperiment: RemoteFunction2 {
    static func run(_ i: Int, _ j: Int) -> Int { i + j }
}

struct RunExperiment: RemoteFunction1 {
    static func run(_ i: Int) async throws -> Int {
        // Launch ten sub-experiments in parallel from inside this task, then sum their results.
        let subResults = try (0..<10).map { j in try SubExperiment.remote(i, j) }
        return try await Ray.current().get(subResults).reduce(0, +)
    }
}

struct ReturnMultiple: RemoteFunction0 {
    static func run() -> Returns3<Int, Int, Int> { Returns3(1, 2, 3) }
}

struct TourFailure: Error, CustomStringConvertible {
    var description: String { "This task failed!!" }
}

struct FailingTask: RemoteFunction0 {
    static func run() throws -> Int { throw TourFailure() }
}
