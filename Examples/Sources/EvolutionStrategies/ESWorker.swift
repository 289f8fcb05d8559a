import Distributed
import Ray
import RayExamplesKit

/// What a worker is made with: the noise table (by ref: it reads the one copy in the store) and
/// its own seed.
public struct WorkerSetup: Codable, Sendable {
    public var noise: ObjectRef<NDArray<Float>>
    public var seed: UInt64
    public var maxSteps: Int
}

/// One antithetic pair: the noise at `index` added to the parameters, and subtracted.
public struct PairResult: Codable, Sendable {
    public var index: Int
    public var rewardPlus: Double
    public var rewardMinus: Double
}

/// The seed's ES worker: keeps a view of the shared noise table (no copy of it) and evaluates
/// perturbations of the parameters the driver sends.
public distributed actor ESWorker: RayActor {
    public typealias ActorSystem = RayActorSystem
    private let setup: WorkerSetup
    private var noise: NDArray<Float>?
    private var generator: SeededGenerator

    public init(actorSystem: RayActorSystem, arguments: WorkerSetup) {
        self.actorSystem = actorSystem
        setup = arguments
        generator = SeededGenerator(seed: arguments.seed)
    }

    /// Evaluates `pairs` antithetic perturbations of scale `sigma`, each on one episode whose
    /// start both members of the pair share.
    public distributed func evaluate(_ parameters: [Float], sigma: Float, pairs: Int) async throws -> [PairResult] {
        let noise = try await table()
        let dimension = parameters.count
        return (0..<pairs).map { _ in
            let index = Int.random(in: 0...(noise.count - dimension), using: &generator)
            let episodeSeed = generator.next()
            let plus = (0..<dimension).map { parameters[$0] + sigma * noise[index + $0] }
            let minus = (0..<dimension).map { parameters[$0] - sigma * noise[index + $0] }
            return PairResult(index: index, rewardPlus: LinearPolicy.episodeReward(plus, seed: episodeSeed, maxSteps: setup.maxSteps),
                              rewardMinus: LinearPolicy.episodeReward(minus, seed: episodeSeed, maxSteps: setup.maxSteps))
        }
    }

    /// Whether the worker reads the noise table in the store's memory rather than a copy.
    public distributed func readsTheStoreInPlace() async throws -> Bool {
        try await table().isStoreView
    }

    private func table() async throws -> NDArray<Float> {
        if let noise { return noise }
        let table = try await Ray.current().get(setup.noise)
        noise = table
        return table
    }
}
