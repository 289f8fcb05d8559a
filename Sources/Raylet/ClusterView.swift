import RayCore

/// The other nodes of the cluster as this raylet sees them, for spillback: what each has in
/// total, and an estimate of what it has free. The estimate is the node's last report (through
/// the control store, at most every `Raylet.heartbeatInterval`) changed by what this node sent
/// it since: less for each task forwarded, more for each that came back done. A node that
/// rejects a task counts as full until its next report, so a wrong estimate costs one round
/// trip, not a lost task.
struct ClusterView {
    struct Peer {
        var info: NodeInfo
        var available: Resources
        var queuedTasks: Int
        /// Tasks this node forwarded there that have not come back.
        var inFlight = 0
    }

    private(set) var peers: [NodeID: Peer] = [:]

    var isEmpty: Bool { peers.isEmpty }

    subscript(node: NodeID) -> Peer? { peers[node] }

    mutating func add(_ info: NodeInfo) {
        guard peers[info.nodeID] == nil else { return }
        peers[info.nodeID] = Peer(info: info, available: info.resources, queuedTasks: 0)
    }

    mutating func report(_ node: NodeID, available: Resources, queuedTasks: Int) {
        peers[node]?.available = available
        peers[node]?.queuedTasks = queuedTasks
    }

    @discardableResult
    mutating func remove(_ node: NodeID) -> Peer? { peers.removeValue(forKey: node) }

    mutating func forwarded(_ request: Resources, to node: NodeID) {
        peers[node]?.available.subtract(request)
        peers[node]?.inFlight += 1
    }

    mutating func finished(_ request: Resources, at node: NodeID) {
        guard let peer = peers[node] else { return }
        peers[node]?.inFlight = max(0, peer.inFlight - 1)
        var available = peer.available
        available.add(request)
        // Never above what the node has: a report may already have counted the task as done.
        peers[node]?.available = available.clamped(to: peer.info.resources)
    }

    /// The node refused a task: treat it as full until it reports again.
    mutating func rejected(_ request: Resources, at node: NodeID) {
        guard let peer = peers[node] else { return }
        peers[node]?.inFlight = max(0, peer.inFlight - 1)
        peers[node]?.available = Resources()
    }

    /// A node estimated to have `request` free, preferring the one with most of the task's
    /// argument bytes, then the one with most free CPUs.
    func nodeWithRoom(for request: Resources, argumentBytes: [NodeID: Int] = [:]) -> NodeID? {
        peers.values.filter { $0.available.covers(request) }
            .max { a, b in
                let (bytesA, bytesB) = (argumentBytes[a.info.nodeID] ?? 0, argumentBytes[b.info.nodeID] ?? 0)
                if bytesA != bytesB { return bytesA < bytesB }
                if a.available.cpus != b.available.cpus { return a.available.cpus < b.available.cpus }
                return a.info.nodeID.value < b.info.nodeID.value
            }?.info.nodeID
    }

    /// A node that could ever run `request`, the least loaded first: for a task this node can never run.
    func nodeThatFits(_ request: Resources) -> NodeID? {
        peers.values.filter { $0.info.resources.covers(request) }
            .min { a, b in (a.queuedTasks + a.inFlight, a.info.nodeID.value) < (b.queuedTasks + b.inFlight, b.info.nodeID.value) }?
            .info.nodeID
    }

    /// "node 1a2b (10.0.0.2)": how errors name a node.
    func describe(_ node: NodeID) -> String {
        guard let peer = peers[node] else { return "node \(node)" }
        return "node \(node) (\(peer.info.nodeIP))"
    }
}
