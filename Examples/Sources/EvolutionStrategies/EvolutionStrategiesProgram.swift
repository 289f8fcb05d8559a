import Foundation
import Ray
import RayExamplesKit

/// The seed's evolution strategies (Salimans et al. 2017): one large table of Gaussian noise is
/// `put` once and read in place by every worker actor; each iteration the driver sends the
/// parameters, each worker evaluates antithetic perturbations (noise windows picked by index,
/// so only indices and rewards come back), and the driver steps along the rank-weighted noise.
public enum EvolutionStrategiesProgram {
    public struct Outcome: Sendable {
        /// The mean reward of the parameters after each iteration (5 episodes each).
        public var rewards: [Double]
        public var seconds: Double
        public var workersReadTheStoreInPlace: Bool
    }

    public static func run(_ options: WorkerRunOptions, print: @escaping @Sendable (String) -> Void = { Swift.print($0) }) async throws -> Outcome {
        let workerCount = options.workers ?? ProcessInfo.processInfo.activeProcessorCount
        let iterations = options.iterations ?? (options.small ? 20 : 30)
        let pairsPerIteration = options.small ? 24 : 1000
        let (sigma, learningRate): (Float, Float) = (0.5, 0.5)
        let maxSteps = 500
        var generator = SeededGenerator(seed: options.seed)
        let table = NDArray((0..<(options.small ? 1 << 20 : 1 << 24)).map { _ in generator.normal() })
        return try await Ray.withCluster(RayOptions(cpus: Double(workerCount))) { ray in
            let noise = try ray.put(table)
            let workers = try await (0..<workerCount).asyncMap { index in
                try await ray.createActor(ESWorker.self, arguments: WorkerSetup(noise: noise, seed: options.seed &* 1000 &+ UInt64(index),
                                                                                 maxSteps: maxSteps))
            }
            print("evolution strategies: \(workerCount) workers, \(pairsPerIteration) antithetic pairs per iteration, "
                + "noise table of \(table.count) numbers put once")
            var parameters = [Float](repeating: 0, count: LinearPolicy.parameterCount)
            var rewards = [Double]()
            let clock = ContinuousClock(), begin = clock.now
            for iteration in 1...iterations {
                let share = pairsPerIteration / workerCount
                let calls = try await workers.asyncMap { [parameters] worker in
                    try await worker.remote { try await $0.evaluate(parameters, sigma: sigma, pairs: share) }
                }
                let results = try await ray.get(calls).flatMap { $0 }
                let step = gradient(results, noise: table, dimension: parameters.count, sigma: sigma)
                for i in parameters.indices { parameters[i] += learningRate * step[i] }
                let reward = (0..<5).map { LinearPolicy.episodeReward(parameters, seed: UInt64(iteration * 10 + $0), maxSteps: maxSteps) }
                    .reduce(0, +) / 5
                rewards.append(reward)
                print(String(format: "%7.2fs  iteration %3d: mean reward %.1f (of %d)", (clock.now - begin).seconds, iteration, reward, maxSteps))
            }
            let seconds = (clock.now - begin).seconds
            var inPlace = true
            for worker in workers { inPlace = try await worker.actor.readsTheStoreInPlace() && inPlace }
            print(String(format: "final mean reward %.1f after %d iterations; %.2f s", rewards.last ?? 0, iterations, seconds))
            if let plot = options.plot {
                try SVGChart.perIteration(rewards, title: "Evolution strategies on the cart-pole", yLabel: "mean episode reward")
                    .write(to: plot)
                print("wrote \(plot)")
            }
            return Outcome(rewards: rewards, seconds: seconds, workersReadTheStoreInPlace: inPlace)
        }
    }

    /// The ES gradient estimate: each pair's noise weighted by the difference of the centered
    /// ranks of its two rewards (which keeps the step size independent of the reward scale).
    static func gradient(_ results: [PairResult], noise: NDArray<Float>, dimension: Int, sigma: Float) -> [Float] {
        let rewards = results.flatMap { [$0.rewardPlus, $0.rewardMinus] }
        let order = rewards.indices.sorted { rewards[$0] < rewards[$1] }
        var ranks = [Float](repeating: 0, count: rewards.count)
        for (rank, index) in order.enumerated() { ranks[index] = Float(rank) / Float(max(rewards.count - 1, 1)) - 0.5 }
        var step = [Float](repeating: 0, count: dimension)
        for (pair, result) in results.enumerated() {
            let weight = ranks[2 * pair] - ranks[2 * pair + 1]
            for i in 0..<dimension { step[i] += weight * noise[result.index + i] }
        }
        return step.map { $0 / (Float(results.count) * sigma) }
    }
}
