import RayCore

/// One actor as its node sees it: where it runs, and the method calls waiting for it.
struct ActorState {
    enum Phase {
        /// Created but its initializer has not finished yet; calls queue.
        case pending
        case alive
        /// Gone for good; calls fail at once with `cause`.
        case dead(cause: ErrorRecord)
    }

    let creation: TaskSpec
    var phase: Phase = .pending
    /// The worker process dedicated to the actor, once one took it.
    var worker: Int?
    var gpuIDs: [Int] = []
    /// Calls that arrived before the actor was alive, in arrival order.
    var queued: [TaskSpec] = []
    /// Calls sent to the worker and not finished.
    var running: [TaskID: TaskSpec] = [:]

    var isDetached: Bool { creation.actor?.detached ?? false }

    var isAlive: Bool {
        if case .alive = phase { return true }
        return false
    }

    var isDead: Bool {
        if case .dead = phase { return true }
        return false
    }
}
