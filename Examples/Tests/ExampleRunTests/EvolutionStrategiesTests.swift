import EvolutionStrategies
import RayExamplesKit
import Testing

extension ExampleRuns {
    @Suite struct EvolutionStrategiesTests {
        /// With no training (zero parameters) the pole stays up about 10 steps; a policy that
        /// keeps it up 195 steps on average solves the classic task.
        @Test func workersSharingOneNoiseTableLearnToBalanceThePole() async throws {
            #expect(LinearPolicy.episodeReward([0, 0, 0, 0, 0], seed: 1, maxSteps: 500) < 30)
            let outcome = try await EvolutionStrategiesProgram.run(try WorkerRunOptions(arguments: ["--small", "--workers", "2"], program: "es"), print: { _ in })
            #expect(outcome.rewards.suffix(3).reduce(0, +) / 3 > 195)
            #expect(outcome.workersReadTheStoreInPlace)
        }
    }
}
