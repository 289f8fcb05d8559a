import BatchLBFGS
import Testing

extension ExampleRuns {
    /// The small configuration through a real local cluster: actors hold the shards.
    @Suite struct BatchLBFGSTests {
        @Test func theShardedOptimizerLearnsTheSpirals() async throws {
            let outcome = try await BatchLBFGSProgram.run(try LBFGSOptions(arguments: ["--small"]), cpus: 2, print: { _ in })
            // Chance is 1/3 and a linear model stays below 0.6 (RayExamplesKitTests).
            #expect(outcome.accuracy > 0.75)
            #expect(outcome.losses.last! < outcome.losses.first! / 2)
        }
    }
}
