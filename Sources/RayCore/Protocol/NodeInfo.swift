/// A node as the control store lists it: what it is and where it is reached. What changes while
/// it runs (free resources, liveness) is in `NodeStatus`.
public struct NodeInfo: Sendable, Equatable {
    public var nodeID: NodeID
    /// Where clients on this node reach its raylet (a Unix socket path).
    public var rayletAddress: String
    public var resources: Resources
    public var storeCapacity: Int
    public var sessionDirectory: String
    /// The node's IP address, as tasks see it (`Ray.nodeIPAddress`).
    public var nodeIP: String
    /// Where other raylets reach this one over TCP (`ip:port`); empty for a node of a private
    /// single-machine cluster, which has no peers.
    public var peerAddress: String

    public init(nodeID: NodeID, rayletAddress: String, resources: Resources, storeCapacity: Int, sessionDirectory: String,
                nodeIP: String = "127.0.0.1", peerAddress: String = "") {
        self.nodeID = nodeID
        self.rayletAddress = rayletAddress
        self.resources = resources
        self.storeCapacity = storeCapacity
        self.sessionDirectory = sessionDirectory
        self.nodeIP = nodeIP
        self.peerAddress = peerAddress
    }

    /// Bytes on the wire of a node with empty strings and no resources.
    public static let minimumWireBytes = 8 + 4 + 4 + 8 + 4 + 4 + 4

    public func write(to w: inout WireWriter) {
        w.u64(nodeID.value)
        w.string(rayletAddress)
        resources.write(to: &w)
        w.u64(UInt64(storeCapacity))
        w.string(sessionDirectory)
        w.string(nodeIP)
        w.string(peerAddress)
    }

    public static func read(from r: inout WireReader) throws(WireError) -> NodeInfo {
        NodeInfo(nodeID: NodeID(try r.u64()), rayletAddress: try r.string(), resources: try Resources.read(from: &r),
                 storeCapacity: try r.arenaBytes("store capacity"), sessionDirectory: try r.string(), nodeIP: try r.string(),
                 peerAddress: try r.string())
    }
}
