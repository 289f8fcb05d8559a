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

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public init() {}

    public init(arguments: [String]) throws(Invalid) {
        var rest = ArraySlice(arguments)
        func value(_ flag: String) throws(Invalid) -> String {
            guard let next = rest.popFirst() else { throw Invalid(description: "\(flag) needs a value\n\(Self.usage)") }
            return next
        }
        func number(_ flag: String) throws(Invalid) -> Int {
            let text = try value(flag)
            guard let parsed = Int(text), parsed > 0 else { throw Invalid(description: "\(flag) needs a positive whole number, not \(text)") }
            return parsed
        }
        while let flag = rest.popFirst() {
            switch flag {
            case "--adaptive": adaptive = true
            case "--small": small = true
            case "--cpus": cpus = try number(flag)
            case "--trials": trials = try number(flag)
            case "--in-flight": inFlight = try number(flag)
            case "--epochs": epochs = try number(flag)
            case "--seed": seed = UInt64(try number(flag))
            case "--plot": plot = try value(flag)
            default: throw Invalid(description: "unknown option \(flag)\n\(Self.usage)")
            }
        }
    }
}
