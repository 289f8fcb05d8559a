import PongAgent
import RayExamplesKit

// Learning to play Pong from pixels, as in the seed's example: games on actors, policy-gradient
// updates in the driver. swift run -c release --package-path Examples pong [--small] [--workers N] ...

try await ExampleArguments.main {
    _ = try await PongProgram.run(try WorkerRunOptions(arguments: Array(CommandLine.arguments.dropFirst()), program: "pong"))
}
