/// A node as the control store lists it.
public struct NodeInfo: Sendable, Equatable {
    public var nodeID: NodeID
    /// Where clients on this node reach its raylet (a Unix socket path).
    public var rayletAddress: String
    public var resources: Resources
    public var storeCapacity: Int
    public var sessionDirectory: String

    public init(nodeID: NodeID, rayletAddress: String, resources: Resources, storeCapacity: Int, sessionDirectory: String) {
        self.nodeID = nodeID
        self.rayletAddress = rayletAddress
        self.resources = resources
        self.storeCapacity = storeCapacity
        self.sessionDirectory = sessionDirectory
    }

    /// Bytes on the wire of a node with empty strings and no resources.
    public static let minimumWireBytes = 8 + 4 + 4 + 8 + 4

    public func write(to w: inout WireWriter) {
        w.u64(nodeID.value)
        w.string(rayletAddress)
        resources.write(to: &w)
        w.u64(UInt64(storeCapacity))
        w.string(sessionDirectory)
    }

    public static func read(from r: inout WireReader) throws(WireError) -> NodeInfo {
        NodeInfo(nodeID: NodeID(try r.u64()), rayletAddress: try r.string(), resources: try Resources.read(from: &r),
                 storeCapacity: try r.arenaBytes("store capacity"), sessionDirectory: try r.string())
    }
}
