import A3C
import RayExamplesKit

// A3C as in the seed's example, on the cart-pole: runner actors compute gradients, the driver
// applies each as it arrives. swift run -c release --package-path Examples a3c [--small] [--workers N] ...

try await ExampleArguments.main {
    _ = try await A3CProgram.run(try WorkerRunOptions(arguments: Array(CommandLine.arguments.dropFirst()), program: "a3c"))
}
