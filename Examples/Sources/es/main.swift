import EvolutionStrategies
import RayExamplesKit

// Evolution strategies as in the seed's example, on the cart-pole with a linear policy:
//   swift run -c release --package-path Examples es [--small] [--workers N] [--iterations N] [--plot FILE]

try await ExampleArguments.main {
    _ = try await EvolutionStrategiesProgram.run(try WorkerRunOptions(arguments: Array(CommandLine.arguments.dropFirst()), program: "es"))
}
