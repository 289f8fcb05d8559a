import RayExamplesKit

/// The command line of the `es` program.
public struct ESOptions: Sendable {
    public var small = false
    public var workers: Int?
    public var iterations: Int?
    public var seed: UInt64 = 1
    public var plot: String?

    public static let usage = "usage: es [--small] [--workers N] [--iterations N] [--seed N] [--plot FILE]"

    public init(arguments: [String]) throws(ExampleArguments.Invalid) {
        let parsed = try ExampleArguments(arguments, flags: ["--small"], valued: ["--workers", "--iterations", "--seed", "--plot"],
                                          usage: Self.usage)
        small = parsed.has("--small")
        workers = try parsed.positive("--workers")
        iterations = try parsed.positive("--iterations")
        seed = UInt64(try parsed.positive("--seed") ?? 1)
        plot = parsed.string("--plot")
    }
}
