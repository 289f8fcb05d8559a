import Foundation
import Glibc
import RayCore
import RayTransport

/// Several nodes of one cluster on this machine, started through `NodeLauncher` as `ray start`
/// starts them: the head first, each node with a root directory of its own, as separate machines
/// would have. For tests and benchmarks (Python Ray's `ray.cluster_utils.Cluster`).
public struct OneMachineCluster: Sendable {
    /// What one node has.
    public struct Node: Sendable {
        public var cpus: Double
        public var customResources: [String: Double]
        public var objectStoreMemory: Int

        public init(cpus: Double, customResources: [String: Double] = [:], objectStoreMemory: Int = 1 << 30) {
            self.cpus = cpus
            self.customResources = customResources
            self.objectStoreMemory = objectStoreMemory
        }
    }

    /// Each node's root directory (its `RAY_TMPDIR`); the head's first.
    public let roots: [String]
    public let records: [NodeRecord]
    public var address: String { records[0].gcsAddress }

    /// Starts the nodes (the first is the head) and returns once the control store lists all of
    /// them alive. What started is stopped again if that fails.
    public static func start(_ nodes: [Node], nodeDeathTimeout: Double? = nil, joinTimeout: Double = 15) async throws -> OneMachineCluster {
        var roots: [String] = []
        var records: [NodeRecord] = []
        do {
            let port = try freePort()
            for (index, node) in nodes.enumerated() {
                roots.append(try shortTemporaryDirectory())
                records.append(try NodeLauncher.start(NodeLauncher.Options(
                    head: index == 0, address: records.first?.gcsAddress, port: port, cpus: node.cpus,
                    customResources: node.customResources, objectStoreMemory: node.objectStoreMemory,
                    tokenFile: records.first?.tokenFile, nodeDeathTimeout: nodeDeathTimeout, root: roots[index])))
            }
            let cluster = OneMachineCluster(roots: roots, records: records)
            let deadline = Date().addingTimeInterval(joinTimeout)
            while try cluster.aliveNodes().count < records.count {
                guard Date() < deadline else { throw RayError.system("only \(try cluster.aliveNodes().count) of \(records.count) nodes joined") }
                try await Task.sleep(for: .milliseconds(20))
            }
            // Each raylet hears of the others through the control store; give the news a moment.
            try await Task.sleep(for: .milliseconds(200))
            return cluster
        } catch {
            OneMachineCluster(roots: roots, records: records).stop()
            throw error
        }
    }

    /// Stops every node (by the process IDs they recorded) and removes their directories.
    public func stop() {
        for root in roots.reversed() {
            _ = NodeLauncher.stopAll(root: root, grace: 5)
            try? FileManager.default.removeItem(atPath: root)
        }
    }

    /// Options for a driver of this cluster on node `node`'s machine.
    public func driverOptions(onNode node: Int = 0) -> RayOptions {
        RayOptions(address: address, temporaryDirectory: roots[node])
    }

    /// The nodes the control store lists as alive.
    public func aliveNodes() throws -> [NodeStatus] {
        try ClusterStatus.fetch(address: address, tokenFile: records[0].tokenFile).filter(\.isAlive)
    }

    /// A TCP port nothing listens on now.
    public static func freePort() throws -> UInt16 {
        let (fd, address) = try TCPSocket.listen(try NetworkAddress(host: "127.0.0.1", port: 0))
        close(fd)
        return address.port
    }

    /// A short private directory under /tmp: actors' Unix sockets live in session directories
    /// below it, and a socket path has at most 107 bytes.
    public static func shortTemporaryDirectory() throws -> String {
        var template = Array("/tmp/rtXXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw RayError.system("mkdtemp failed: \(String(cString: strerror(errno)))") }
        return String(cString: made)
    }
}
