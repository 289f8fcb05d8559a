import Foundation
@testable import Ray
import RayCore

/// A cluster of several nodes on this machine (`OneMachineCluster`), for the length of a test,
/// stopped by the process IDs the nodes recorded whether the test passes or not.
struct TestNodes: Sendable {
    let cluster: OneMachineCluster
    var roots: [String] { cluster.roots }
    var records: [NodeRecord] { cluster.records }
    var address: String { cluster.address }

    /// Starts one node per entry of `cpus` (the first is the head), runs `body`, stops them all.
    static func with<R>(cpus: [Double], resources: [[String: Double]] = [], storeBytes: [Int] = [], nodeDeathTimeout: Double? = nil,
                        _ body: (TestNodes) async throws -> R) async throws -> R {
        let nodes = cpus.indices.map { index in
            OneMachineCluster.Node(cpus: cpus[index], customResources: index < resources.count ? resources[index] : [:],
                                   objectStoreMemory: index < storeBytes.count ? storeBytes[index] : 1 << 30)
        }
        let cluster = try await OneMachineCluster.start(nodes, nodeDeathTimeout: nodeDeathTimeout, joinTimeout: 10)
        defer { cluster.stop() }
        return try await body(TestNodes(cluster: cluster))
    }

    /// A driver of this cluster, on the machine of node `node`, for the length of `body`.
    func withDriver<R>(onNode node: Int = 0, _ body: (Ray) async throws -> R) async throws -> R {
        try await Ray.withCluster(cluster.driverOptions(onNode: node), body)
    }

    func aliveNodes() throws -> [NodeStatus] { try cluster.aliveNodes() }

    /// The raylet's process ID of node `index`.
    func rayletPID(of index: Int) -> Int32 {
        records[index].services.first { $0.role == "raylet" }!.pid
    }

    static func freePort() throws -> UInt16 { try OneMachineCluster.freePort() }
}
