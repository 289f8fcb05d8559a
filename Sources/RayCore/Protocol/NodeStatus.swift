/// A node as the control store last heard of it: its fixed description and what changes.
public struct NodeStatus: Sendable, Equatable {
    public var info: NodeInfo
    public var isAlive: Bool
    /// Free resources in the node's last heartbeat.
    public var available: Resources
    /// Tasks queued on the node and not yet running, in its last heartbeat.
    public var queuedTasks: Int
    /// Why the control store declared the node dead; empty while it lives.
    public var deathReason: String

    public init(info: NodeInfo, isAlive: Bool, available: Resources, queuedTasks: Int, deathReason: String = "") {
        self.info = info
        self.isAlive = isAlive
        self.available = available
        self.queuedTasks = queuedTasks
        self.deathReason = deathReason
    }

    public static let minimumWireBytes = NodeInfo.minimumWireBytes + 1 + 4 + 4 + 4

    public func write(to w: inout WireWriter) {
        info.write(to: &w)
        w.u8(isAlive ? 1 : 0)
        available.write(to: &w)
        w.u32(UInt32(clamping: queuedTasks))
        w.string(deathReason)
    }

    public static func read(from r: inout WireReader) throws(WireError) -> NodeStatus {
        NodeStatus(info: try NodeInfo.read(from: &r), isAlive: try r.u8() != 0, available: try Resources.read(from: &r),
                   queuedTasks: Int(try r.u32()), deathReason: try r.string())
    }
}
