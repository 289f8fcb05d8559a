import DataParallel
import RayExamplesKit
import Testing

extension ExampleRuns {
    @Suite struct DataParallelTests {
        /// A linear model stays below 0.6 on the spirals (RayExamplesKitTests); chance is 1/3.
        @Test func replicasWhoseWeightsAreAveragedEachRoundLearnTheSpirals() async throws {
            let outcome = try await DataParallelProgram.run(try DataParallelProgram.Options(arguments: ["--small", "--workers", "2"]),
                                                            print: { _ in })
            #expect(outcome.accuracies.last! > 0.75)
            #expect(outcome.accuracies.first! < outcome.accuracies.last!)
            #expect(outcome.replicaGPUs == [[], []])
        }

        @Test func replicasAskForAGPUEachWhenTheClusterHasThem() async throws {
            let options = try DataParallelProgram.Options(arguments: ["--small", "--workers", "2", "--gpus", "2", "--iterations", "2"])
            #expect(options.gpus == 2)
            let outcome = try await DataParallelProgram.run(options, print: { _ in })
            #expect(outcome.accuracies.count == 2)
            #expect(outcome.replicaGPUs.sorted { $0.first ?? -1 < $1.first ?? -1 } == [[0], [1]])
        }
    }
}
