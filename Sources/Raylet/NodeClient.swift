import RayCore

/// A driver or worker connected to this raylet, as the node's state sees it.
struct NodeClient {
    struct RunningTask {
        var spec: TaskSpec
        var gpuIDs: [Int]
        /// Whether the worker is blocked in `get`/`wait` and has lent its CPUs back.
        var lentCPUs = false
    }

    var registration: ClientRegistration?
    /// How many times this client holds each object (handles, readers); all dropped on disconnect.
    var references: [ObjectID: Int] = [:]
    var running: RunningTask?
    /// Tasks sent to this worker to start after `running`, on its resources.
    var queued: [TaskSpec] = []
    /// Set when the worker is dedicated to an actor (it never returns to the pool).
    var actorID: TaskID?
    var pendingWaits = 0
    var idleSince: Double?
    /// Set when the client is another node's raylet, which forwards tasks and pulls objects.
    var peerNode: NodeID?

    var isWorker: Bool { registration?.kind == .worker }
    var isDriver: Bool { registration?.kind == .driver }
}
