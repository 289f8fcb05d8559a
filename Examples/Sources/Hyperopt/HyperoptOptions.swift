import RayExamplesKit

/// The command line of the `hyperopt` program.
public struct HyperoptOptions: Sendable, Equatable {
    public var adaptive = false
    public var small = false
    public var cpus: Int?
    public var trials: Int?
    public var inFlight: Int?
    public var epochs: Int?
    public var seed: UInt64 = 1
    public var plot: String?

    public static let usage = """
        usage: hyperopt [--adaptive] [--small] [--cpus N] [--trials N] [--in-flight N] [--epochs N] [--seed N] [--plot FILE]
        """

    public init() {}

    public init(arguments: [String]) throws(ExampleArguments.Invalid) {
        let parsed = try ExampleArguments(arguments, flags: ["--adaptive", "--small"],
                                          valued: ["--cpus", "--trials", "--in-flight", "--epochs", "--seed", "--plot"], usage: Self.usage)
        adaptive = parsed.has("--adaptive")
        small = parsed.has("--small")
        cpus = try parsed.positive("--cpus")
        trials = try parsed.positive("--trials")
        inFlight = try parsed.positive("--in-flight")
        epochs = try parsed.positive("--epochs")
        seed = UInt64(try parsed.positive("--seed") ?? 1)
        plot = parsed.string("--plot")
    }
}
