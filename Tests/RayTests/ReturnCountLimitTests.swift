@testable import Ray
import RayCore
import Testing

/// A task cannot return more objects than the wire protocol allows (`WireLimits.maxReturnCount`):
/// the call fails at once instead of the raylet refusing the task and the connection with it.
@Suite struct ReturnCountLimitTests {
    struct TooMany: MultipleReturnValues {
        static var count: Int { WireLimits.maxReturnCount + 1 }
        func partPayloads() throws -> [PayloadParts] { [] }
        static func assemble(_ parts: [ObjectBufferHandle]) throws -> Self { Self() }
    }

    struct ReturnsTooMany: RemoteFunction0 {
        static func run() -> TooMany { TooMany() }
    }

    @Test func aCallReturningTooManyObjectsIsRefusedBeforeSubmitting() {
        let error = #expect(throws: RayError.self) { _ = try ReturnsTooMany.remote() }
        guard case let .invalidArgument(message) = error else { Issue.record("threw \(String(describing: error))"); return }
        #expect(message.contains("returns 1025 objects; a task returns at most 1024"))
    }
}
