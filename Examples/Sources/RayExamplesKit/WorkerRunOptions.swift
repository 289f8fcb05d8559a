/// The command line shared by the examples that run a number of workers for a number of
/// iterations (evolution strategies, policy gradients, A3C): `[--small] [--workers N]
/// [--iterations N] [--seed N] [--plot FILE]`.
public struct WorkerRunOptions: Sendable {
    public var small = false
    public var workers: Int?
    public var iterations: Int?
    public var seed: UInt64 = 1
    public var plot: String?

    public init(arguments: [String], program: String) throws(ExampleArguments.Invalid) {
        let parsed = try ExampleArguments(arguments, flags: ["--small"], valued: ["--workers", "--iterations", "--seed", "--plot"],
                                          usage: "usage: \(program) [--small] [--workers N] [--iterations N] [--seed N] [--plot FILE]")
        small = parsed.has("--small")
        workers = try parsed.positive("--workers")
        iterations = try parsed.positive("--iterations")
        seed = UInt64(try parsed.positive("--seed") ?? 1)
        plot = parsed.string("--plot")
    }
}
