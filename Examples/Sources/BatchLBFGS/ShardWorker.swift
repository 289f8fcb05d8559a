import Distributed
import Ray
import RayExamplesKit

/// What a shard's actor is made with: its rows of the data and the network's shape.
public struct ShardSetup: Codable, Sendable {
    public var shard: ClassificationData
    public var layers: [Int]
}

/// A shard's part of the full loss and gradient: sums over its rows, so that the driver adds the
/// parts and divides by the total count.
public struct ShardGradient: Codable, Sendable {
    public var lossSum: Double
    public var gradientSum: [Float]
    public var count: Int
}

/// The seed's `Network` actor: holds one shard of the data and a network, and computes the loss
/// and its gradient on its shard for the parameters the driver sends (by ref, `put` once per
/// step for all shards).
public distributed actor ShardWorker: RayActor {
    public typealias ActorSystem = RayActorSystem
    private let shard: ClassificationData
    private var network: DenseNetwork

    public init(actorSystem: RayActorSystem, arguments: ShardSetup) {
        self.actorSystem = actorSystem
        shard = arguments.shard
        network = DenseNetwork(layers: arguments.layers, initScale: 0, seed: 0)
    }

    public distributed func lossAndGradient(_ parameters: ObjectRef<[Float]>) async throws -> ShardGradient {
        network.flatParameters = try await Ray.current().get(parameters)
        let (loss, gradient) = network.lossAndGradient(on: shard)
        let count = Float(shard.count)
        return ShardGradient(lossSum: loss * Double(shard.count), gradientSum: gradient.map { $0 * count }, count: shard.count)
    }
}
