import Foundation
import Ray
import RayExamplesKit

/// The seed's policy gradients (REINFORCE): rollouts on actors, updates in the driver. Each
/// iteration every worker plays episodes with the current policy network; the driver turns
/// the rewards into discounted returns, normalizes them into advantages, and steps the network
/// along the advantage-weighted gradient of the log-probabilities of the actions taken.
public enum PolicyGradientProgram {
    public struct Outcome: Sendable {
        /// The mean episode reward of each iteration's rollouts.
        public var rewards: [Double]
        public var seconds: Double
    }

    public static let layers = [4, 16, 2]

    public static func run(_ options: WorkerRunOptions, print: @escaping @Sendable (String) -> Void = { Swift.print($0) })
        async throws -> Outcome {
        let workerCount = options.workers ?? ProcessInfo.processInfo.activeProcessorCount
        let iterations = options.iterations ?? (options.small ? 60 : 100)
        let episodesPerIteration = options.small ? 8 : 32
        let maxSteps = 500
        return try await Ray.withCluster(RayOptions(cpus: Double(workerCount))) { ray in
            let workers = try await (0..<workerCount).asyncMap { index in
                try await ray.createActor(RolloutWorker.self, arguments: .init(seed: options.seed &* 977 &+ UInt64(index), maxSteps: maxSteps))
            }
            print("policy gradients: \(workerCount) rollout workers, \(episodesPerIteration) episodes per iteration, policy \(layers)")
            var policy = DenseNetwork(layers: layers, initScale: 0.1, seed: options.seed)
            var rewards = [Double]()
            let clock = ContinuousClock(), begin = clock.now
            for iteration in 1...iterations {
                let parameters = policy.flatParameters
                let calls = try await workers.asyncMap { worker in
                    try await worker.remote { try await $0.rollouts(parameters, layers: layers, episodes: episodesPerIteration / workerCount) }
                }
                let episodes = try await ray.get(calls).flatMap { $0 }
                let meanReward = Double(episodes.map { $0.rewards.reduce(0, +) }.reduce(0, +)) / Double(episodes.count)
                rewards.append(meanReward)
                update(&policy, with: episodes)
                if iteration % 5 == 0 || iteration == 1 {
                    print(String(format: "%7.2fs  iteration %3d: mean reward %.1f (of %d)", (clock.now - begin).seconds, iteration, meanReward, maxSteps))
                }
            }
            let seconds = (clock.now - begin).seconds
            print(String(format: "mean reward of the last 5 iterations %.1f; %.2f s", rewards.suffix(5).reduce(0, +) / 5, seconds))
            if let plot = options.plot {
                try SVGChart.perIteration(rewards, title: "Policy gradients on the cart-pole", yLabel: "mean episode reward")
                    .write(to: plot)
                print("wrote \(plot)")
            }
            return Outcome(rewards: rewards, seconds: seconds)
        }
    }

    /// One REINFORCE step: discounted returns (γ = 0.99), normalized over the batch, weight the
    /// cross-entropy of each action taken.
    static func update(_ policy: inout DenseNetwork, with episodes: [Trajectory], learningRate: Float = 0.5) {
        let (weightGradients, biasGradients) = gradient(of: policy, on: episodes)
        policy.descend(weightGradients, biasGradients, learningRate: learningRate)
    }

    /// The REINFORCE gradient of the policy on the episodes.
    public static func gradient(of policy: DenseNetwork, on episodes: [Trajectory]) -> (weights: [[Float]], biases: [[Float]]) {
        let advantages = Advantages.normalized(episodes.map(\.rewards))
        var generator = SeededGenerator(seed: 0)
        return policy.gradients(episodes.flatMap(\.states), labels: episodes.flatMap(\.actions).map(Int.init), rowWeights: advantages,
                                dropout: 0, generator: &generator)
    }
}
