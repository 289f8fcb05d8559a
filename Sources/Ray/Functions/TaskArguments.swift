import RayCore

/// The arguments of a task being executed, resolved to bytes: decoded by position into the
/// types `run` declares.
public struct TaskArguments: Sendable {
    enum Source: Sendable {
        case encoded([UInt8])
        case object(ObjectBuffer)
    }

    let sources: [Source]
    let functionName: String

    func expectCount(_ count: Int) throws {
        guard sources.count == count else {
            throw RayError.invalidArgument("\(functionName) takes \(count) arguments but the task carries \(sources.count)")
        }
    }

    func decode<A: Decodable>(_ index: Int, as type: A.Type) throws -> A {
        switch sources[index] {
        case let .encoded(bytes): try ObjectCodec.decodeArgument(A.self, from: bytes)
        case let .object(buffer): try ObjectCodec.decode(A.self, from: buffer)
        }
    }
}
