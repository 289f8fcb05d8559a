import Distributed
import Ray
import RayExamplesKit

/// One game as a worker played it: each step's input (the difference of two screens), the move
/// it took (0 up, 1 down), and the point scored in that step.
public struct PongGame: Codable, Sendable {
    public var inputs: [Float]
    public var moves: [Int32]
    public var points: [Float]

    public var score: Float { points.reduce(0, +) }
}

/// The seed's Pong rollout actor: plays games with the policy network the driver sends.
public distributed actor PongWorker: RayActor {
    public typealias ActorSystem = RayActorSystem
    private var generator: SeededGenerator

    public init(actorSystem: RayActorSystem, arguments: UInt64) {
        self.actorSystem = actorSystem
        generator = SeededGenerator(seed: arguments)
    }

    public distributed func play(_ parameters: [Float], layers: [Int], games: Int) -> [PongGame] {
        var policy = DenseNetwork(layers: layers, initScale: 0, seed: 0)
        policy.flatParameters = parameters
        return (0..<games).map { _ in Self.play(policy, generator: &generator) }
    }

    /// One game: as in Karpathy's agent, the policy sees the difference of the last two screens
    /// and samples up or down from its probabilities.
    public static func play(_ policy: DenseNetwork, generator: inout SeededGenerator) -> PongGame {
        var pong = Pong(seed: generator.next())
        var previous = pong.screen
        var game = PongGame(inputs: [], moves: [], points: [])
        while !pong.isOver {
            let current = pong.screen
            let input = zip(current, previous).map { $0 - $1 } + current
            previous = current
            let upProbability = policy.probabilities(input, count: 1)[0]
            let move: Int32 = Float.random(in: 0..<1, using: &generator) < upProbability ? 0 : 1
            game.inputs += input
            game.moves.append(move)
            game.points.append(Float(pong.step(move == 0 ? .up : .down)))
        }
        return game
    }
}
