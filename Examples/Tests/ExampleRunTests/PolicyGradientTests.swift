import PolicyGradient
import RayExamplesKit
import Testing

extension ExampleRuns {
    @Suite struct PolicyGradientTests {
        /// The untrained policy (near-even odds) keeps the pole up about 20 steps; above 195 on
        /// average is the classic task's "solved" mark.
        @Test func rolloutsOnActorsAndUpdatesInTheDriverLearnToBalanceThePole() async throws {
            let outcome = try await PolicyGradientProgram.run(try WorkerRunOptions(arguments: ["--small", "--workers", "2"], program: "policy-gradient"),
                                                              print: { _ in })
            #expect(outcome.rewards.prefix(3).reduce(0, +) / 3 < 60)
            #expect(outcome.rewards.suffix(5).reduce(0, +) / 5 > 195)
        }
    }
}
