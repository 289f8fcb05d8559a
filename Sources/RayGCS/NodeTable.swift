import RayCore

/// The cluster's nodes: who joined, what each has free, and who died. A node lives while its
/// raylet's connection to the control store is open and its heartbeats keep coming; it is
/// declared dead when that connection closes or no heartbeat came for `deathTimeout` seconds,
/// and every subscriber (raylets and drivers) hears of it. A dead node never comes back: a
/// raylet that restarts joins as a new node.
struct NodeTable {
    /// A message to send to a client.
    typealias Delivery = GCSTables.Delivery

    private struct Entry {
        var status: NodeStatus
        /// The connection that registered the node (its raylet's).
        var client: GCSClientID
        var lastHeartbeat: Double
    }

    /// Seconds without a heartbeat after which a node is declared dead.
    let deathTimeout: Double
    private var entries: [NodeID: Entry] = [:]
    private var subscribers: Set<GCSClientID> = []

    init(deathTimeout: Double) {
        self.deathTimeout = deathTimeout
    }

    func isAlive(_ node: NodeID) -> Bool { entries[node]?.status.isAlive == true }

    var statuses: [NodeStatus] { entries.values.map(\.status).sorted { $0.info.nodeID.value < $1.info.nodeID.value } }

    /// A raylet joined: every subscriber hears of it.
    mutating func register(_ node: NodeInfo, by client: GCSClientID, now: Double) -> [Delivery] {
        if let existing = entries[node.nodeID], existing.status.isAlive {
            // The same node registering again (a raylet reconnecting) replaces its description.
            entries[node.nodeID]?.client = client
            entries[node.nodeID]?.status.info = node
            return []
        }
        entries[node.nodeID] = Entry(status: NodeStatus(info: node, isAlive: true, available: node.resources, queuedTasks: 0),
                                     client: client, lastHeartbeat: now)
        return subscribers.map { Delivery(client: $0, message: .nodeAdded(node)) }
    }

    /// A sign of life; subscribers hear of a change in what the node has free.
    mutating func heartbeat(_ nodeID: NodeID, available: Resources, queuedTasks: Int, now: Double) -> [Delivery] {
        guard let entry = entries[nodeID], entry.status.isAlive else { return [] }
        entries[nodeID]?.lastHeartbeat = now
        guard entry.status.available != available || entry.status.queuedTasks != queuedTasks else { return [] }
        entries[nodeID]?.status.available = available
        entries[nodeID]?.status.queuedTasks = queuedTasks
        let update = Message.nodeResources(nodeID: nodeID, available: available, queuedTasks: queuedTasks)
        return subscribers.filter { $0 != entry.client }.map { Delivery(client: $0, message: update) }
    }

    /// The subscriber learns of every live node now, and of every change later.
    mutating func subscribe(_ client: GCSClientID) -> [Delivery] {
        subscribers.insert(client)
        return statuses.filter(\.isAlive).flatMap { status in
            [Delivery(client: client, message: .nodeAdded(status.info)),
             Delivery(client: client, message: .nodeResources(nodeID: status.info.nodeID, available: status.available,
                                                               queuedTasks: status.queuedTasks))]
        }
    }

    /// Nodes whose heartbeats stopped die.
    mutating func expire(now: Double) -> [Delivery] {
        let silent = entries.values.filter { $0.status.isAlive && now - $0.lastHeartbeat > deathTimeout }
        return silent.flatMap { entry in
            declareDead(entry.status.info.nodeID,
                        reason: "no heartbeat for \(Self.format(now - entry.lastHeartbeat)) s (the limit is \(Self.format(deathTimeout)) s)")
        }
    }

    /// A connection closed: if it was a raylet's, its node is dead at once.
    mutating func clientClosed(_ client: GCSClientID) -> [Delivery] {
        subscribers.remove(client)
        let nodes = entries.values.filter { $0.client == client && $0.status.isAlive }.map(\.status.info.nodeID)
        return nodes.flatMap { declareDead($0, reason: "its raylet's connection to the control store closed") }
    }

    private mutating func declareDead(_ nodeID: NodeID, reason: String) -> [Delivery] {
        guard let entry = entries[nodeID], entry.status.isAlive else { return [] }
        entries[nodeID]?.status.isAlive = false
        entries[nodeID]?.status.deathReason = reason
        entries[nodeID]?.status.available = Resources()
        return subscribers.map { Delivery(client: $0, message: .nodeDied(nodeID: nodeID, reason: reason)) }
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(Double(Int(seconds * 10)) / 10)
    }
}
