import RayCore
import RayTransport

/// What `ray status` shows: every node the control store knows, alive or dead, with what each
/// has free and queued.
public enum ClusterStatus {
    /// The nodes, asked of the control store at `address` with the cluster's token.
    public static func fetch(address: String, tokenFile: String) throws -> [NodeStatus] {
        let token = try ClusterToken.read(from: tokenFile)
        let target = try NetworkAddress(parsing: address)
        let connection = try NodeLauncher.connectToHead(target, token: token)
        defer { connection.close() }
        try connection.send(.getNodes(request: 1))
        guard case let .nodesReply(_, nodes) = try connection.receive() else {
            throw RayError.system("the control store at \(address) did not answer with its nodes")
        }
        return nodes
    }

    /// The record of a node `ray start` started on this machine, for a command given no address.
    public static func localNode(root: String? = nil) -> NodeRecord? {
        NodeRecord.all(root: root ?? NodeRecord.defaultRoot).first { NodeLauncher.isAlive($0) }
    }
}
