import RayExamplesKit

/// The command line of the `lbfgs` program.
public struct LBFGSOptions: Sendable {
    public var small = false
    public var cpus: Int?
    public var shards: Int?
    public var iterations: Int?
    public var seed: UInt64 = 1
    public var plot: String?

    public static let usage = "usage: lbfgs [--small] [--cpus N] [--shards N] [--iterations N] [--seed N] [--plot FILE]"

    public init(arguments: [String]) throws(ExampleArguments.Invalid) {
        let parsed = try ExampleArguments(arguments, flags: ["--small"], valued: ["--cpus", "--shards", "--iterations", "--seed", "--plot"],
                                          usage: Self.usage)
        small = parsed.has("--small")
        cpus = try parsed.positive("--cpus")
        shards = try parsed.positive("--shards")
        iterations = try parsed.positive("--iterations")
        seed = UInt64(try parsed.positive("--seed") ?? 1)
        plot = parsed.string("--plot")
    }
}
