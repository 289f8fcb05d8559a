import Distributed
import NetworkWeights
import Ray
import RayExamplesKit

/// What a replica is made with: its shard of the training images and the network's shape.
public struct ReplicaSetup: Codable, Sendable {
    public var shard: ClassificationData
    public var side: Int
    public var filters: Int
    public var hidden: Int
    public var seed: UInt64
}

/// The seed's data-parallel replica: holds a shard and a copy of the convolutional network; each round it
/// takes the averaged weights (as `NDArray`s from the store, read in place), trains on its
/// shard, and hands back its weights.
public distributed actor Replica: RayActor {
    public typealias ActorSystem = RayActorSystem
    private let shard: ClassificationData
    private var network: ConvolutionalNetwork
    private var generator: SeededGenerator

    public init(actorSystem: RayActorSystem, arguments: ReplicaSetup) {
        self.actorSystem = actorSystem
        shard = arguments.shard
        network = ConvolutionalNetwork(side: arguments.side, filters: arguments.filters, hidden: arguments.hidden,
                                       classes: arguments.shard.classes, initScale: 0, seed: 0)
        generator = SeededGenerator(seed: arguments.seed)
    }

    /// The GPUs this replica was given (none on a cluster without GPUs).
    public distributed func gpus() -> [Int] { Ray.gpuIDs }

    public distributed func train(_ weights: [String: ObjectRef<NDArray<Float>>], epochs: Int, learningRate: Float,
                                  batchSize: Int) async throws -> [String: NDArray<Float>] {
        try NetworkWeights.set(try await NetworkWeights.get(weights, from: Ray.current()), on: &network)
        for _ in 0..<epochs {
            network.trainEpoch(on: shard, learningRate: learningRate, batchSize: batchSize, generator: &generator)
        }
        return NetworkWeights.get(network)
    }
}
