import RayCore

/// One actor as its node sees it: where it runs and whether it lives. Its method calls go from
/// each caller straight to its worker, not through the node.
struct ActorState {
    enum Phase {
        /// Created but its initializer has not finished yet.
        case pending
        case alive
        /// Gone for good, because of `cause`.
        case dead(cause: ErrorRecord)
    }

    let creation: TaskSpec
    var phase: Phase = .pending
    /// The worker process dedicated to the actor, once one took it.
    var worker: Int?
    var gpuIDs: [Int] = []

    var isDetached: Bool { creation.actor?.detached ?? false }

    var isDead: Bool {
        if case .dead = phase { return true }
        return false
    }
}
