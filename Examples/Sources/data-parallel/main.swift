import DataParallel
import RayExamplesKit

// Data-parallel training as in the seed's example: replicas on actors, weights averaged each
// round. swift run -c release --package-path Examples data-parallel [--small] [--workers N] [--gpus N] ...

try await ExampleArguments.main {
    _ = try await DataParallelProgram.run(try DataParallelProgram.Options(arguments: Array(CommandLine.arguments.dropFirst())))
}
