import PongAgent
import RayExamplesKit
import Testing

extension ExampleRuns {
    @Suite struct PongTests {
        /// The untrained policy loses about 2.8 points more than it wins in a game of 5 (mean of
        /// 50 batches of 8 games, measured); the agent must do clearly better after 300 batches.
        @Test func gamesOnActorsAndUpdatesInTheDriverLearnPongFromPixels() async throws {
            let outcome = try await PongProgram.run(try WorkerRunOptions(arguments: ["--small", "--workers", "2"], program: "pong"),
                                                    print: { _ in })
            let late = outcome.scores.suffix(20).reduce(0, +) / 20
            let early = outcome.scores.prefix(20).reduce(0, +) / 20
            #expect(late > -2.0)
            #expect(late > early + 0.5)
        }
    }
}
