import Foundation
import Hyperopt
import RayExamplesKit

// Hyperparameter search as in the seed's example: random configurations of a small network,
// trained on the spirals problem in worker processes, results processed as they arrive.
//   swift run -c release --package-path Examples hyperopt [--adaptive] [--small] [--cpus N] ...

try await ExampleArguments.main {
    let options = try HyperoptOptions(arguments: Array(CommandLine.arguments.dropFirst()))
    _ = try await HyperoptProgram.run(options, cpus: options.cpus ?? ProcessInfo.processInfo.activeProcessorCount)
}
