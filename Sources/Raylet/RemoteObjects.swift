import RayCore

/// What this node knows about objects that live on other nodes: where to pull each from, the
/// pulls under way and the objects arriving, and which objects this node holds on another (so
/// that node keeps them while anyone here refers to them).
struct RemoteObjects {
    /// An object arriving in chunks, written straight into the store.
    struct Incoming {
        var node: NodeID
        var offset: Int
        var size: Int
        var received = 0
        var contained: [ObjectID]
        /// Set when the object could not be stored: the rest of its chunks are dropped.
        var discarding = false
    }

    /// The node to pull each object from: where it was made, or where the node that told us of it
    /// had it.
    private(set) var locations: [ObjectID: (node: NodeID, size: Int)] = [:]
    /// Pulls asked for and not yet complete, by the node asked.
    private(set) var pulls: [ObjectID: NodeID] = [:]
    private(set) var incoming: [ObjectID: Incoming] = [:]
    /// Objects this node holds a reference to on another node (that node counts it as one of
    /// its holders), released when the last holder here lets go.
    private(set) var heldAt: [ObjectID: NodeID] = [:]
    /// Objects needed here whose place nobody told this node: every other node was asked, at
    /// this time (monotonic seconds), and is asked again while they stay needed and unknown.
    private(set) var searches: [ObjectID: Double] = [:]

    var isEmpty: Bool { locations.isEmpty && pulls.isEmpty && heldAt.isEmpty && searches.isEmpty }

    mutating func searchStarted(_ id: ObjectID, at time: Double) { searches[id] = time }
    mutating func searchEnded(_ id: ObjectID) { searches[id] = nil }
    var holdsRemotely: Bool { !heldAt.isEmpty }

    func location(of id: ObjectID) -> (node: NodeID, size: Int)? { locations[id] }

    /// The objects believed to be on `node`.
    func objects(at node: NodeID) -> [ObjectID] { locations.filter { $0.value.node == node }.map(\.key) }

    mutating func learn(_ id: ObjectID, at node: NodeID, size: Int) {
        locations[id] = (node, size)
        searches[id] = nil
    }

    mutating func forget(_ id: ObjectID) {
        locations[id] = nil
    }

    mutating func pullStarted(_ id: ObjectID, from node: NodeID) { pulls[id] = node }

    func isPulling(_ id: ObjectID) -> Bool { pulls[id] != nil }

    mutating func pullEnded(_ id: ObjectID) {
        pulls[id] = nil
        incoming[id] = nil
    }

    mutating func beginIncoming(_ id: ObjectID, _ arrival: Incoming) { incoming[id] = arrival }

    mutating func received(_ count: Int, of id: ObjectID) -> Incoming? {
        incoming[id]?.received += count
        return incoming[id]
    }

    mutating func hold(_ id: ObjectID, at node: NodeID) { heldAt[id] = node }

    /// The node to tell that this node no longer holds `id`, if it held it remotely.
    mutating func release(_ id: ObjectID) -> NodeID? { heldAt.removeValue(forKey: id) }

    /// Everything that involved `node`, which died: its objects' locations, pulls and holds go.
    mutating func nodeDied(_ node: NodeID) -> (located: [ObjectID], pulling: [ObjectID]) {
        let located = objects(at: node)
        let pulling = pulls.filter { $0.value == node }.map(\.key)
        for id in located { locations[id] = nil }
        for id in pulling { pulls[id] = nil; incoming[id] = nil }
        heldAt = heldAt.filter { $0.value != node }
        return (located, pulling)
    }
}
