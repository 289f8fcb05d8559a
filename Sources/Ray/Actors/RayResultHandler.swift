import Distributed
import RayCore
import Synchronization

/// Receives the outcome of a method executed in the actor's worker: a value, nothing, or an error.
public final class RayResultHandler: DistributedTargetInvocationResultHandler, Sendable {
    public typealias SerializationRequirement = Codable

    enum Outcome {
        case value(PayloadWriter)
        case failure(any Error)
    }

    private let outcome = Mutex<Outcome?>(nil)

    var result: Outcome? { outcome.withLock { $0 } }

    public func onReturn<Success: Codable>(value: Success) async throws {
        let payload = Result { try ObjectCodec.payload(for: value) }
        outcome.withLock {
            switch payload {
            case let .success(writer): $0 = .value(writer)
            case let .failure(error): $0 = .failure(error)
            }
        }
    }

    public func onReturnVoid() async throws {
        let payload = try ObjectCodec.payload(for: Empty())
        outcome.withLock { $0 = .value(payload) }
    }

    public func onThrow<Err: Error>(error: Err) async throws {
        outcome.withLock { $0 = .failure(error) }
    }
}
