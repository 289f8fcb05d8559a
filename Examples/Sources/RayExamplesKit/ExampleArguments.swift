import Foundation

/// The command line of an example program: flags that stand alone (`--small`) and flags that
/// take a value (`--cpus 2`), each known in advance; anything else is refused with the usage.
public struct ExampleArguments: Sendable {
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) { self.description = description }
    }

    private var present: Set<String> = []
    private var values: [String: String] = [:]
    private let usage: String

    public init(_ arguments: [String], flags: Set<String>, valued: Set<String>, usage: String) throws(Invalid) {
        self.usage = usage
        var rest = ArraySlice(arguments)
        while let flag = rest.popFirst() {
            if flags.contains(flag) {
                present.insert(flag)
            } else if valued.contains(flag) {
                guard let value = rest.popFirst() else { throw Invalid(description: "\(flag) needs a value\n\(usage)") }
                values[flag] = value
            } else {
                throw Invalid(description: "unknown option \(flag)\n\(usage)")
            }
        }
    }

    public func has(_ flag: String) -> Bool { present.contains(flag) }

    public func string(_ flag: String) -> String? { values[flag] }

    /// The flag's value as a positive whole number, nil when the flag is absent.
    public func positive(_ flag: String) throws(Invalid) -> Int? {
        guard let text = values[flag] else { return nil }
        guard let number = Int(text), number > 0 else { throw Invalid(description: "\(flag) needs a positive whole number, not \(text)") }
        return number
    }
}

extension ExampleArguments {
    /// Runs a program's body; a bad command line ends the program with its message and status 2.
    public static func main(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as Invalid {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            exit(2)
        }
    }
}
