import Distributed
import PolicyGradient
import Ray
import RayExamplesKit

/// What a runner sends back: the policy gradient of its episodes, in `flatParameters`' layout,
/// and how those episodes went.
public struct RunnerGradient: Codable, Sendable {
    public var gradient: [Float]
    public var meanReward: Double
}

/// The seed's A3C runner: plays episodes with the weights it was last sent and computes the
/// policy gradient on them itself, so the driver only applies gradients.
public distributed actor A3CRunner: RayActor {
    public typealias ActorSystem = RayActorSystem
    private var generator: SeededGenerator
    private let maxSteps: Int

    public init(actorSystem: RayActorSystem, arguments: RolloutWorker.Setup) {
        self.actorSystem = actorSystem
        generator = SeededGenerator(seed: arguments.seed)
        maxSteps = arguments.maxSteps
    }

    public distributed func gradient(_ parameters: [Float], layers: [Int], episodes: Int) -> RunnerGradient {
        var policy = DenseNetwork(layers: layers, initScale: 0, seed: 0)
        policy.flatParameters = parameters
        let played = (0..<episodes).map { _ in RolloutWorker.play(policy, maxSteps: maxSteps, generator: &generator) }
        let (weights, biases) = PolicyGradientProgram.gradient(of: policy, on: played)
        let reward = played.map { Double($0.rewards.reduce(0, +)) }.reduce(0, +) / Double(episodes)
        return RunnerGradient(gradient: DenseNetwork.flatten(weights, biases), meanReward: reward)
    }
}
