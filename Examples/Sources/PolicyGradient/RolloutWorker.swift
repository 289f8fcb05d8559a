import Distributed
import Ray
import RayExamplesKit

/// One episode as a worker played it: the states it saw (4 numbers each), the action it took in
/// each (0 push left, 1 push right) and the reward that followed.
public struct Trajectory: Codable, Sendable {
    public var states: [Float]
    public var actions: [Int32]
    public var rewards: [Float]
}

/// The seed's rollout actor: plays cart-pole episodes with the policy network the driver sends,
/// sampling actions from its probabilities, and returns what happened.
public distributed actor RolloutWorker: RayActor {
    public typealias ActorSystem = RayActorSystem
    private var generator: SeededGenerator
    private let maxSteps: Int

    public struct Setup: Codable, Sendable {
        public var seed: UInt64
        public var maxSteps: Int

        public init(seed: UInt64, maxSteps: Int) {
            self.seed = seed
            self.maxSteps = maxSteps
        }
    }

    public init(actorSystem: RayActorSystem, arguments: Setup) {
        self.actorSystem = actorSystem
        generator = SeededGenerator(seed: arguments.seed)
        maxSteps = arguments.maxSteps
    }

    public distributed func rollouts(_ parameters: [Float], layers: [Int], episodes: Int) -> [Trajectory] {
        var policy = DenseNetwork(layers: layers, initScale: 0, seed: 0)
        policy.flatParameters = parameters
        return (0..<episodes).map { _ in Self.play(policy, maxSteps: maxSteps, generator: &generator) }
    }

    /// One episode with actions sampled from the policy's probabilities.
    public static func play(_ policy: DenseNetwork, maxSteps: Int, generator: inout SeededGenerator) -> Trajectory {
        var pole = CartPole.random(maxSteps: maxSteps, using: &generator)
        var trajectory = Trajectory(states: [], actions: [], rewards: [])
        while !pole.isDone {
            let state = pole.state.map(Float.init)
            let rightProbability = policy.probabilities(state, count: 1)[1]
            let action: Int32 = Float.random(in: 0..<1, using: &generator) < rightProbability ? 1 : 0
            trajectory.states += state
            trajectory.actions.append(action)
            trajectory.rewards.append(Float(pole.step(push: action == 1 ? 1 : -1)))
        }
        return trajectory
    }
}
