import RayCore
import Testing
@testable import RayGCS

/// Nodes joining, reporting and dying, as the control store's subscribers hear of it.
@Suite struct NodeTableTests {
    let raylet = GCSClientID(1), otherRaylet = GCSClientID(2), driver = GCSClientID(3)
    static let node = NodeInfo(nodeID: NodeID(10), rayletAddress: "/r", resources: Resources(cpus: 2), storeCapacity: 1 << 20,
                               sessionDirectory: "/s", nodeIP: "10.0.0.1", peerAddress: "10.0.0.1:9000")
    static let other = NodeInfo(nodeID: NodeID(11), rayletAddress: "/r", resources: Resources(cpus: 1), storeCapacity: 1 << 20,
                                sessionDirectory: "/s", nodeIP: "10.0.0.2", peerAddress: "10.0.0.2:9000")

    @Test func aSubscriberHearsOfEveryNodeThenOfChanges() {
        var tables = GCSTables(nodeDeathTimeout: 10)
        _ = tables.handle(.registerNode(Self.node), from: raylet, now: 0)
        let current = tables.handle(.subscribeNodes, from: driver, now: 0)
        #expect(current == [.init(client: driver, message: .nodeAdded(Self.node)),
                            .init(client: driver, message: .nodeResources(nodeID: Self.node.nodeID, available: Resources(cpus: 2), queuedTasks: 0))])
        #expect(tables.handle(.registerNode(Self.other), from: otherRaylet, now: 1) == [.init(client: driver, message: .nodeAdded(Self.other))])
        // A heartbeat that changes nothing tells no one; a change is published (not to the node itself).
        #expect(tables.handle(.heartbeat(nodeID: Self.node.nodeID, available: Resources(cpus: 2), queuedTasks: 0), from: raylet, now: 2) == [])
        let update = Message.nodeResources(nodeID: Self.node.nodeID, available: Resources(cpus: 1), queuedTasks: 3)
        #expect(tables.handle(.heartbeat(nodeID: Self.node.nodeID, available: Resources(cpus: 1), queuedTasks: 3), from: raylet, now: 3)
            == [.init(client: driver, message: update)])
    }

    @Test func aSilentNodeIsDeclaredDeadAfterTheTimeoutAndEveryoneHears() {
        var tables = GCSTables(nodeDeathTimeout: 10)
        _ = tables.handle(.subscribeNodes, from: driver, now: 0)
        _ = tables.handle(.registerNode(Self.node), from: raylet, now: 0)
        _ = tables.handle(.heartbeat(nodeID: Self.node.nodeID, available: Resources(cpus: 2), queuedTasks: 0), from: raylet, now: 5)
        #expect(tables.tick(now: 14) == [], "9 s of silence is within the limit")
        let deaths = tables.tick(now: 15.5)
        #expect(deaths == [.init(client: driver, message: .nodeDied(nodeID: Self.node.nodeID, reason: "no heartbeat for 10.5 s (the limit is 10 s)"))])
        #expect(tables.tick(now: 30) == [], "a node dies once")
        let answer = tables.handle(.getNodes(request: 1), from: driver, now: 30)
        guard case let .nodesReply(_, nodes)? = answer?.first?.message else { Issue.record("\(String(describing: answer))"); return }
        #expect(nodes.map(\.isAlive) == [false])
        #expect(nodes.first?.deathReason.hasPrefix("no heartbeat") == true)
        // A late heartbeat does not bring it back.
        #expect(tables.handle(.heartbeat(nodeID: Self.node.nodeID, available: Resources(cpus: 2), queuedTasks: 0), from: raylet, now: 31) == [])
    }

    @Test func aNodeDiesAtOnceWhenItsRayletsConnectionCloses() {
        var tables = GCSTables(nodeDeathTimeout: 10)
        _ = tables.handle(.subscribeNodes, from: driver, now: 0)
        _ = tables.handle(.registerNode(Self.node), from: raylet, now: 0)
        #expect(tables.clientClosed(raylet)
            == [.init(client: driver, message: .nodeDied(nodeID: Self.node.nodeID, reason: "its raylet's connection to the control store closed"))])
    }

    @Test func anActorsAddressIsKnownWhileItsNodeLives() {
        var tables = GCSTables(nodeDeathTimeout: 10)
        _ = tables.handle(.registerNode(Self.node), from: raylet, now: 0)
        let actor = TaskID(high: 1, low: 2)
        #expect(tables.handle(.getActor(request: 1, actorID: actor), from: driver, now: 0)
            == [.init(client: driver, message: .actorReply(request: 1, nodeID: nil, address: ""))])
        _ = tables.handle(.registerActor(actorID: actor, nodeID: Self.node.nodeID, address: "10.0.0.1:4000"), from: otherRaylet, now: 0)
        #expect(tables.handle(.getActor(request: 2, actorID: actor), from: driver, now: 0)
            == [.init(client: driver, message: .actorReply(request: 2, nodeID: Self.node.nodeID, address: "10.0.0.1:4000"))])
        _ = tables.clientClosed(raylet)
        #expect(tables.handle(.getActor(request: 3, actorID: actor), from: driver, now: 0)
            == [.init(client: driver, message: .actorReply(request: 3, nodeID: nil, address: ""))])
    }

    @Test func theKeyValueTableStoresReadsDeletesAndKeepsItsBounds() {
        var tables = GCSTables()
        func put(_ key: String, _ value: [UInt8]?) -> String? {
            guard case let .keyValueReply(_, _, error)? = tables.handle(.putKeyValue(request: 1, key: key, value: value), from: driver, now: 0)?.first?.message
            else { return "no reply" }
            return error
        }
        func get(_ key: String) -> [UInt8]? {
            guard case let .keyValueReply(_, value, _)? = tables.handle(.getKeyValue(request: 2, key: key), from: driver, now: 0)?.first?.message
            else { return nil }
            return value
        }
        #expect(put("a", [1, 2, 3]) == nil)
        #expect(get("a") == [1, 2, 3] && get("b") == nil)
        #expect(put("a", nil) == nil)
        #expect(get("a") == nil)
        #expect(put(String(repeating: "k", count: 2000), [1])?.contains("at most 1024 bytes") == true)
        #expect(put("big", [UInt8](repeating: 0, count: (1 << 20) + 1))?.contains("at most 1048576 bytes") == true)
        for i in 0..<63 { #expect(put("v\(i)", [UInt8](repeating: 0, count: 1 << 20)) == nil) }
        #expect(put("one more", [UInt8](repeating: 0, count: 1 << 20))?.contains("full") == true)
        // Replacing a value counts only the difference.
        #expect(put("v0", [1]) == nil)
        #expect(put("one more", [UInt8](repeating: 0, count: 1 << 19)) == nil)
    }
}
