import Synchronization

/// The one connection to Ray of this process (a driver's, a worker's or local mode's), so that
/// refs decoded from values and remote calls made anywhere find it.
enum CoreWorkerRegistry {
    private static let slot = Mutex<(any CoreWorker)?>(nil)

    static var current: (any CoreWorker)? { slot.withLock { $0 } }

    /// The current connection, or `RayError.notStarted`.
    static func require() throws -> any CoreWorker {
        guard let current else { throw RayError.notStarted }
        return current
    }

    static func install(_ worker: any CoreWorker) {
        slot.withLock { $0 = worker }
    }

    static func remove(_ worker: any CoreWorker) {
        slot.withLock { if $0 === worker { $0 = nil } }
    }
}
