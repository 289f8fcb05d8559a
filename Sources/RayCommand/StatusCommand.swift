import ArgumentParser
import Foundation
import Ray
import RayCore

/// `ray status`: the cluster's nodes, what they have used and free, and the work waiting.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the cluster's nodes, resources used and total, and pending work.")

    @Option(help: "The head's address (ip:port); default: the cluster of the node started on this machine, or RAY_ADDRESS.")
    var address: String?

    @Option(name: .customLong("token-file"), help: "The cluster token's file; default: the one of the node started on this machine.")
    var tokenFile: String?

    func run() throws {
        let local = ClusterStatus.localNode()
        guard let address = address ?? ProcessInfo.processInfo.environment["RAY_ADDRESS"] ?? local?.gcsAddress else {
            throw commandFailure("ray status: no node runs on this machine; give --address and --token-file")
        }
        guard let tokenFile = tokenFile ?? ProcessInfo.processInfo.environment["RAY_CLUSTER_TOKEN_FILE"] ?? local?.tokenFile else {
            throw commandFailure("ray status: give --token-file (a copy of the head's cluster token file)")
        }
        let nodes: [NodeStatus]
        do {
            nodes = try ClusterStatus.fetch(address: address, tokenFile: tokenFile)
        } catch {
            throw commandFailure("ray status: \(error)")
        }
        print(Self.report(address: address, nodes: nodes))
    }

    static func report(address: String, nodes: [NodeStatus]) -> String {
        let alive = nodes.filter(\.isAlive)
        var total = Resources(), free = Resources()
        for node in alive {
            total.add(node.info.resources)
            free.add(node.available)
        }
        var lines = ["Cluster at \(address): \(alive.count) node\(alive.count == 1 ? "" : "s") alive, \(nodes.count - alive.count) dead"]
        lines.append("Resources (used / total): " + usage(total: total, free: free))
        lines.append("Pending tasks: \(alive.reduce(0) { $0 + $1.queuedTasks })")
        lines.append("Nodes:")
        for node in nodes {
            let state = node.isAlive ? "alive" : "dead (\(node.deathReason))"
            var line = "  \(node.info.nodeID)  \(node.info.nodeIP)  \(state)"
            if node.isAlive {
                line += "  " + usage(total: node.info.resources, free: node.available) + "  queued \(node.queuedTasks)"
                line += "  store \(node.info.storeCapacity >> 20) MiB"
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    private static func usage(total: Resources, free: Resources) -> String {
        let names = total.quantities.keys.sorted { ($0 == Resources.cpu ? "0" : $0 == Resources.gpu ? "1" : "2" + $0) < ($1 == Resources.cpu ? "0" : $1 == Resources.gpu ? "1" : "2" + $1) }
        guard !names.isEmpty else { return "none" }
        return names.map { name in "\(name) \(format(total[name] - free[name]))/\(format(total[name]))" }.joined(separator: ", ")
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
    }
}
