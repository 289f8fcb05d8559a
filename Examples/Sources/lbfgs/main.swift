import BatchLBFGS
import Foundation
import RayExamplesKit

// Batch L-BFGS as in the seed's example: the data in shards held by actors, the optimizer in
// the driver. swift run -c release --package-path Examples lbfgs [--small] [--cpus N] ...

do {
    let options = try LBFGSOptions(arguments: Array(CommandLine.arguments.dropFirst()))
    _ = try await BatchLBFGSProgram.run(options, cpus: options.cpus ?? ProcessInfo.processInfo.activeProcessorCount)
} catch let error as ExampleArguments.Invalid {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(2)
}
