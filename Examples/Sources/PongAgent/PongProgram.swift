import Foundation
import Ray
import RayExamplesKit

/// The seed's "Learning to play Pong": policy gradients from pixels, games played on actors,
/// updates in the driver (Karpathy's agent: the difference of two screens in, a hidden layer,
/// up or down out; each point's moves weighted by the discounted point, normalized per batch).
public enum PongProgram {
    public struct Outcome: Sendable {
        /// The mean score per game of each iteration's batch (points of 5 won minus lost).
        public var scores: [Double]
        public var seconds: Double
    }

    public static func layers(size: Int) -> [Int] { [2 * size * size, 32, 2] }

    public static func run(_ options: WorkerRunOptions, print: @escaping @Sendable (String) -> Void = { Swift.print($0) }) async throws
        -> Outcome {
        let workerCount = options.workers ?? ProcessInfo.processInfo.activeProcessorCount
        let iterations = options.iterations ?? (options.small ? 300 : 2000)
        let gamesPerIteration = 8
        let layers = layers(size: Pong(seed: 0).size)
        return try await Ray.withCluster(RayOptions(cpus: Double(workerCount))) { ray in
            let workers = try await (0..<workerCount).asyncMap { index in
                try await ray.createActor(PongWorker.self, arguments: options.seed &* 389 &+ UInt64(index))
            }
            print("Pong from pixels: \(workerCount) workers, \(gamesPerIteration) games of 5 points per iteration, policy \(layers)")
            var policy = DenseNetwork(layers: layers, initScale: 0.05, seed: options.seed)
            var scores = [Double]()
            let clock = ContinuousClock(), begin = clock.now
            for iteration in 1...iterations {
                let parameters = policy.flatParameters
                let calls = try await workers.asyncMap { worker in
                    try await worker.remote { try await $0.play(parameters, layers: layers, games: gamesPerIteration / workerCount) }
                }
                let games = try await ray.get(calls).flatMap { $0 }
                scores.append(Double(games.map(\.score).reduce(0, +)) / Double(games.count))
                update(&policy, with: games)
                if iteration % 10 == 0 || iteration == 1 {
                    print(String(format: "%7.2fs  iteration %3d: mean score %+.2f per game of 5 points", (clock.now - begin).seconds, iteration,
                                 scores.suffix(10).reduce(0, +) / Double(min(10, scores.count))))
                }
            }
            let seconds = (clock.now - begin).seconds
            print(String(format: "mean score of the last 10 iterations %+.2f; %.2f s", scores.suffix(10).reduce(0, +) / 10, seconds))
            if let plot = options.plot {
                try SVGChart.perIteration(scores, title: "Pong from pixels", yLabel: "mean score per game").write(to: plot)
                print("wrote \(plot)")
            }
            return Outcome(scores: scores, seconds: seconds)
        }
    }

    /// Each step's move weighted by the discounted point that followed it (γ = 0.99, reset at
    /// each point), normalized over the batch.
    static func update(_ policy: inout DenseNetwork, with games: [PongGame], learningRate: Float = 0.001) {
        let advantages = Advantages.normalized(games.map(\.points), resetAtRewards: true)
        var generator = SeededGenerator(seed: 0)
        let (weights, biases) = policy.gradients(games.flatMap(\.inputs), labels: games.flatMap(\.moves).map(Int.init), rowWeights: advantages,
                                                 dropout: 0, generator: &generator)
        policy.descendRMSProp(weights, biases, learningRate: learningRate)
    }
}
