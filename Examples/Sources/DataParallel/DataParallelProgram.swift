import Foundation
import NetworkWeights
import Ray
import RayExamplesKit

/// The seed's data-parallel training (its ResNet example, with a small convolutional network on
/// images of strokes): replicas on actors each train on a shard of the data from the same
/// weights, and the driver averages their weights after every round. Replicas ask for a GPU each when the cluster has GPUs.
public enum DataParallelProgram {
    public struct Outcome: Sendable {
        /// Validation accuracy of the averaged network after each round.
        public var accuracies: [Double]
        /// The GPUs each replica was given.
        public var replicaGPUs: [[Int]]
        public var seconds: Double
    }

    public struct Options: Sendable {
        public var run: WorkerRunOptions
        public var gpus: Int

        public init(arguments: [String]) throws(ExampleArguments.Invalid) {
            var rest = arguments
            gpus = 0
            if let flag = rest.firstIndex(of: "--gpus") {
                guard flag + 1 < rest.count, let count = Int(rest[flag + 1]), count >= 0 else {
                    throw ExampleArguments.Invalid(description: "--gpus needs a whole number")
                }
                gpus = count
                rest.removeSubrange(flag...flag + 1)
            }
            run = try WorkerRunOptions(arguments: rest, program: "data-parallel [--gpus N]")
        }
    }

    public static func run(_ options: Options, print: @escaping @Sendable (String) -> Void = { Swift.print($0) }) async throws -> Outcome {
        let run = options.run
        let replicaCount = run.workers ?? ProcessInfo.processInfo.activeProcessorCount
        let rounds = run.iterations ?? (run.small ? 15 : 30)
        let (side, filters, hidden) = (12, 4, 32)
        let (training, validation) = ClassificationData.strokes(count: run.small ? 1200 : 12000, side: side, noise: run.small ? 0.1 : 0.6, seed: run.seed).split(0.8)
        let gpusPerReplica = options.gpus > 0 ? 1.0 : 0.0
        return try await Ray.withCluster(RayOptions(cpus: Double(replicaCount), gpus: Double(options.gpus))) { ray in
            let replicas = try await (0..<replicaCount).asyncMap { index in
                let rows = training.count * index / replicaCount..<training.count * (index + 1) / replicaCount
                return try await ray.createActor(Replica.self,
                                                 arguments: ReplicaSetup(shard: training.rows(rows), side: side, filters: filters, hidden: hidden,
                                                                         seed: run.seed &+ UInt64(index)),
                                                 options: ActorOptions(resources: Resources(gpus: gpusPerReplica)))
            }
            let replicaGPUs = try await replicas.asyncMap { try await $0.actor.gpus() }
            print("data-parallel training: \(replicaCount) replicas\(gpusPerReplica > 0 ? " on GPUs \(replicaGPUs)" : ""), "
                + "\(training.count) training images of \(side)×\(side), \(filters) 3×3 filters and \(hidden) hidden units, \(rounds) rounds of one epoch")
            var network = ConvolutionalNetwork(side: side, filters: filters, hidden: hidden, classes: training.classes, initScale: 0.2, seed: run.seed)
            var accuracies = [Double]()
            let clock = ContinuousClock(), begin = clock.now
            for round in 1...rounds {
                let weights = try NetworkWeights.put(network, in: ray)
                let calls = try await replicas.asyncMap { replica in
                    try await replica.remote { try await $0.train(weights, epochs: 1, learningRate: 0.05, batchSize: 32) }
                }
                let trained = try await ray.get(calls)
                try NetworkWeights.set(average(trained), on: &network)
                accuracies.append(network.accuracy(on: validation))
                if round % 5 == 0 || round == 1 {
                    print(String(format: "%7.2fs  round %3d: validation accuracy %.3f", (clock.now - begin).seconds, round, accuracies.last!))
                }
            }
            let seconds = (clock.now - begin).seconds
            print(String(format: "validation accuracy %.3f after %d rounds; %.2f s", accuracies.last!, rounds, seconds))
            if let plot = run.plot {
                try SVGChart.perIteration(accuracies, title: "Data-parallel training on strokes", yLabel: "validation accuracy").write(to: plot)
                print("wrote \(plot)")
            }
            return Outcome(accuracies: accuracies, replicaGPUs: replicaGPUs, seconds: seconds)
        }
    }

    /// The element-wise mean of the replicas' weights, name by name.
    static func average(_ replicas: [[String: NDArray<Float>]]) -> [String: NDArray<Float>] {
        var averaged = [String: NDArray<Float>]()
        let scale = 1 / Float(replicas.count)
        for (name, first) in replicas[0] {
            var sum = [Float](repeating: 0, count: first.count)
            for replica in replicas {
                let array = replica[name]!
                for i in sum.indices { sum[i] += array[i] }
            }
            averaged[name] = NDArray(sum.map { $0 * scale }, shape: first.shape)
        }
        return averaged
    }
}
