import RayCore
import RayTransport
import Synchronization

/// This raylet's connections to the other nodes' raylets, one per node, opened when the control
/// store announces the node. What this node asks goes out on them (forwarded tasks, pulls,
/// holds) and the answers come back on them.
final class PeerLinks: Sendable {
    private let links = Mutex<[NodeID: FramedConnection]>([:])

    subscript(node: NodeID) -> FramedConnection? { links.withLock { $0[node] } }

    /// Adds the link unless there is one: false when there was.
    func add(_ connection: FramedConnection, for node: NodeID) -> Bool {
        links.withLock { links in
            guard links[node] == nil else { return false }
            links[node] = connection
            return true
        }
    }

    func remove(_ node: NodeID) -> FramedConnection? {
        links.withLock { $0.removeValue(forKey: node) }
    }

    func closeAll() {
        for connection in links.withLock({ links in defer { links.removeAll() }; return Array(links.values) }) { connection.close() }
    }
}
