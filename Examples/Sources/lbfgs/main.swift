import BatchLBFGS
import Foundation
import RayExamplesKit

// Batch L-BFGS as in the seed's example: the data in shards held by actors, the optimizer in
// the driver. swift run -c release --package-path Examples lbfgs [--small] [--shards N] ...

try await ExampleArguments.main {
    let options = try LBFGSOptions(arguments: Array(CommandLine.arguments.dropFirst()))
    _ = try await BatchLBFGSProgram.run(options, cpus: options.cpus ?? ProcessInfo.processInfo.activeProcessorCount)
}
