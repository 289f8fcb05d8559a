import Foundation
import Ray
import RayExamplesKit

/// The seed's batch L-BFGS: the data in shards held by actors (`ShardWorker`), the optimizer in
/// the driver. Each evaluation `put`s the parameters once, asks every shard for its loss and
/// gradient at once, and adds the answers.
public enum BatchLBFGSProgram {
    public struct Outcome: Sendable {
        public var losses: [Double]
        public var accuracy: Double
        public var seconds: Double
        public var evaluations: Int
    }

    public static func run(_ options: LBFGSOptions, cpus: Int, print: @escaping @Sendable (String) -> Void = { Swift.print($0) })
        async throws -> Outcome {
        let classes = options.small ? 3 : 5
        let (training, validation) = ClassificationData.spirals(count: options.small ? 600 : 30000, classes: classes, seed: options.seed)
            .split(0.8)
        let layers = [training.features, options.small ? 32 : 64, options.small ? 32 : 64, classes]
        let shardCount = options.shards ?? 2 * cpus
        return try await Ray.withCluster(RayOptions(cpus: Double(cpus))) { ray in
            // Actors reserve no CPU (Ray's default), so more shards than CPUs share them.
            let rows = (0..<shardCount).map { training.count * $0 / shardCount..<training.count * ($0 + 1) / shardCount }
            let workers = try await rows.asyncMap { range in
                try await ray.createActor(ShardWorker.self, arguments: ShardSetup(shard: training.rows(range), layers: layers))
            }
            print("batch L-BFGS: \(training.count) training points in \(shardCount) shards held by actors, \(cpus) CPUs; network \(layers)")
            let clock = ContinuousClock(), begin = clock.now
            let objective: LBFGS.Objective = { x in
                let parameters = try ray.put(x.map(Float.init))
                let parts = try await workers.asyncMap { worker in try await worker.remote { try await $0.lossAndGradient(parameters) } }
                var loss = 0.0, gradient = [Double](repeating: 0, count: x.count), count = 0
                for part in try await ray.get(parts) {
                    loss += part.lossSum
                    count += part.count
                    for i in gradient.indices { gradient[i] += Double(part.gradientSum[i]) }
                }
                return (loss / Double(count), gradient.map { $0 / Double(count) })
            }
            let start = DenseNetwork(layers: layers, initScale: 0.3, seed: options.seed).flatParameters.map(Double.init)
            let optimizer = LBFGS(maxIterations: options.iterations ?? (options.small ? 100 : 300))
            let result = try await optimizer.minimize(from: start, objective) { iteration, loss in
                if iteration % 10 == 0 {
                    print(String(format: "%7.2fs  iteration %3d: loss %.4f", (clock.now - begin).seconds, iteration, loss))
                }
            }
            let seconds = (clock.now - begin).seconds
            var network = DenseNetwork(layers: layers, initScale: 0, seed: 0)
            network.flatParameters = result.x.map(Float.init)
            let accuracy = network.accuracy(on: validation)
            print(String(format: "loss %.4f → %.4f in %d iterations (%d evaluations), validation accuracy %.3f; %.2f s",
                         result.losses.first!, result.loss, result.losses.count - 1, result.evaluations, accuracy, seconds))
            if let plot = options.plot {
                let points = result.losses.enumerated().map { (x: Double($0.offset), y: $0.element) }
                try SVGChart(title: "Batch L-BFGS on spirals", xLabel: "iteration", yLabel: "training loss",
                             series: [.init(name: "loss", points: points)]).write(to: plot)
                print("wrote \(plot)")
            }
            return Outcome(losses: result.losses, accuracy: accuracy, seconds: seconds, evaluations: result.evaluations)
        }
    }
}
