import Distributed
import RayCore

/// Reads a method call's arguments in the actor's worker.
public struct RayInvocationDecoder: DistributedTargetInvocationDecoder {
    public typealias SerializationRequirement = Codable

    let arguments: TaskArguments
    let substitutions: [String]
    private var next = 0

    init(arguments: TaskArguments, substitutions: [String]) {
        self.arguments = arguments
        self.substitutions = substitutions
    }

    public mutating func decodeGenericSubstitutions() throws -> [Any.Type] {
        try substitutions.map { name in
            guard let type = _typeByName(name) else { throw RayError.serialization("unknown generic argument type \(name)") }
            return type
        }
    }

    public mutating func decodeNextArgument<Argument: Codable>() throws -> Argument {
        guard next < arguments.sources.count else {
            throw RayError.invalidArgument("\(arguments.functionName) was called with \(arguments.sources.count) arguments, fewer than it takes")
        }
        defer { next += 1 }
        return try arguments.decode(next, as: Argument.self)
    }

    public mutating func decodeErrorType() throws -> Any.Type? { nil }
    public mutating func decodeReturnType() throws -> Any.Type? { nil }
}
