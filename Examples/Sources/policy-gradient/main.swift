import PolicyGradient
import RayExamplesKit

// Policy gradients as in the seed's example, on the cart-pole: rollouts on actors, updates in the
// driver. swift run -c release --package-path Examples policy-gradient [--small] [--workers N] ...

try await ExampleArguments.main {
    _ = try await PolicyGradientProgram.run(try WorkerRunOptions(arguments: Array(CommandLine.arguments.dropFirst()), program: "policy-gradient"))
}
