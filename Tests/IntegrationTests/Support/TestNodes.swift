import Foundation
import Glibc
@testable import Ray
import RayCore
import RayTransport

/// A cluster of several nodes on this machine, started through `NodeLauncher`, the entry point
/// `ray start` uses: the head (control store and raylet) and nodes that join it, each with its
/// own session directory under a root of its own, as separate machines would have. Stopped by the
/// process IDs the nodes recorded, whether the test passes or not.
struct TestNodes: Sendable {
    /// Each node's root directory (its `RAY_TMPDIR`); the head's first.
    let roots: [String]
    let records: [NodeRecord]
    var address: String { records[0].gcsAddress }

    /// Starts one node per entry of `cpus` (the first is the head), runs `body`, stops them all.
    static func with<R>(cpus: [Double], resources: [[String: Double]] = [], storeBytes: [Int] = [], nodeDeathTimeout: Double? = nil,
                        _ body: (TestNodes) async throws -> R) async throws -> R {
        var roots: [String] = []
        var records: [NodeRecord] = []
        defer {
            for root in roots.reversed() {
                _ = NodeLauncher.stopAll(root: root, grace: 5)
                try? FileManager.default.removeItem(atPath: root)
            }
        }
        let port = try freePort()
        for (index, count) in cpus.enumerated() {
            // Short roots: actors' Unix sockets live in the session directory (at most 107 bytes).
            var template = Array("/tmp/rtXXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else { throw RayError.system("mkdtemp failed") }
            let root = String(cString: made)
            roots.append(root)
            let options = NodeLauncher.Options(head: index == 0, address: index == 0 ? nil : records[0].gcsAddress, port: port,
                                               cpus: count, customResources: index < resources.count ? resources[index] : [:],
                                               objectStoreMemory: index < storeBytes.count ? storeBytes[index] : 1 << 30, tokenFile: index == 0 ? nil : records[0].tokenFile,
                                               nodeDeathTimeout: nodeDeathTimeout, root: root)
            records.append(try NodeLauncher.start(options))
        }
        let nodes = TestNodes(roots: roots, records: records)
        try await nodes.waitUntilAllJoined()
        return try await body(nodes)
    }

    /// A driver of this cluster, on the head's machine, for the length of `body`.
    func withDriver<R>(onNode node: Int = 0, _ body: (Ray) async throws -> R) async throws -> R {
        try await Ray.withCluster(RayOptions(address: address, temporaryDirectory: roots[node]), body)
    }

    /// The node IDs the control store lists as alive.
    func aliveNodes() throws -> [NodeStatus] {
        try ClusterStatus.fetch(address: address, tokenFile: records[0].tokenFile).filter(\.isAlive)
    }

    /// The raylet's process ID of node `index`.
    func rayletPID(of index: Int) -> Int32 {
        records[index].services.first { $0.role == "raylet" }!.pid
    }

    private func waitUntilAllJoined() async throws {
        let deadline = Date().addingTimeInterval(10)
        while try aliveNodes().count < records.count {
            guard Date() < deadline else { throw RayError.system("only \(try aliveNodes().count) of \(records.count) nodes joined") }
            try await Task.sleep(for: .milliseconds(20))
        }
        // Each raylet hears of the others through the control store; give the news a moment.
        try await Task.sleep(for: .milliseconds(200))
    }

    /// A TCP port nothing listens on now.
    static func freePort() throws -> UInt16 {
        let (fd, address) = try TCPSocket.listen(try NetworkAddress(host: "127.0.0.1", port: 0))
        close(fd)
        return address.port
    }
}
