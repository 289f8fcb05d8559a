import Foundation
import PolicyGradient
import Ray
import RayExamplesKit

/// The seed's A3C, with the policy-gradient estimator of `PolicyGradient`: every runner actor
/// works from the weights it was last sent; the driver applies each gradient as soon as it
/// arrives (`wait` for the first of the runners' answers) and sends that runner the new weights,
/// so no runner waits for the others.
public enum A3CProgram {
    public struct Outcome: Sendable {
        /// The mean episode reward behind each applied gradient, in the order applied.
        public var rewards: [Double]
        public var seconds: Double
    }

    public static func run(_ options: WorkerRunOptions, print: @escaping @Sendable (String) -> Void = { Swift.print($0) }) async throws
        -> Outcome {
        let runnerCount = options.workers ?? ProcessInfo.processInfo.activeProcessorCount
        let updates = options.iterations ?? (options.small ? 300 : 400)
        let episodesPerGradient = 4
        let layers = PolicyGradientProgram.layers
        return try await Ray.withCluster(RayOptions(cpus: Double(runnerCount))) { ray in
            let runners = try await (0..<runnerCount).asyncMap { index in
                try await ray.createActor(A3CRunner.self, arguments: .init(seed: options.seed &* 613 &+ UInt64(index), maxSteps: 500))
            }
            print("A3C: \(runnerCount) runners, \(episodesPerGradient) episodes per gradient, \(updates) updates, policy \(layers)")
            var policy = DenseNetwork(layers: layers, initScale: 0.1, seed: options.seed)
            var inFlight = [ObjectRef<RunnerGradient>: Int]()
            func send(to runner: Int) async throws {
                let parameters = policy.flatParameters
                let ref = try await runners[runner].remote { try await $0.gradient(parameters, layers: layers, episodes: episodesPerGradient) }
                inFlight[ref] = runner
            }
            for runner in runners.indices { try await send(to: runner) }
            var rewards = [Double]()
            let clock = ContinuousClock(), begin = clock.now
            while rewards.count < updates {
                let (ready, _) = try await ray.wait(Array(inFlight.keys), numReturns: 1)
                let runner = inFlight.removeValue(forKey: ready[0])!
                let answer = try await ray.get(ready[0])
                policy.descend(flat: answer.gradient, learningRate: 0.25)
                rewards.append(answer.meanReward)
                if rewards.count % 20 == 0 {
                    print(String(format: "%7.2fs  update %3d: mean reward %.1f (of 500)", (clock.now - begin).seconds, rewards.count,
                                 rewards.suffix(20).reduce(0, +) / 20))
                }
                if rewards.count + inFlight.count < updates { try await send(to: runner) }
            }
            let seconds = (clock.now - begin).seconds
            print(String(format: "mean reward of the last 20 updates %.1f; %.2f s", rewards.suffix(20).reduce(0, +) / 20, seconds))
            if let plot = options.plot {
                try SVGChart.perIteration(rewards, title: "A3C on the cart-pole", yLabel: "mean episode reward").write(to: plot)
                print("wrote \(plot)")
            }
            return Outcome(rewards: rewards, seconds: seconds)
        }
    }
}
