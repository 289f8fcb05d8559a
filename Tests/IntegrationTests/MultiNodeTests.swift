import Distributed
import Foundation
import Glibc
import Testing
@testable import Ray
import RayCore
import RayTransport

// Remote functions of the multi-node tests.

/// Holds its CPU for `seconds`, then says which node it ran on.
struct NodeOfTask: RemoteFunction1 {
    static func run(_ seconds: Double) async throws -> UInt64 {
        try await Task.sleep(for: .seconds(seconds))
        return try Ray.current().nodeID.value
    }
}

/// Reads a shared array, holds its CPU for 100 ms, and says which node it ran on.
struct NodeOfTaskWithArray: RemoteFunction1 {
    static func run(_ values: NDArray<Float>) async throws -> UInt64 {
        precondition(values.count == 1_000_000)
        try await Task.sleep(for: .milliseconds(100))
        return try Ray.current().nodeID.value
    }
}

/// Runs only where the `second` resource is: the second node of the tests.
struct OnSecondNode: RemoteFunction1 {
    static var resources: Resources { Resources(cpus: 1, custom: ["second": 1]) }
    static func run(_ count: Int) throws -> NDArray<Float> {
        NDArray((0..<count).map { Float($0 % 1000) }, shape: [count])
    }
}

struct NodeIDOnSecondNode: RemoteFunction0 {
    static var resources: Resources { Resources(cpus: 1, custom: ["second": 1]) }
    static func run() throws -> UInt64 { try Ray.current().nodeID.value }
}

struct IncrementOnSecondNode: RemoteFunction1 {
    static var resources: Resources { Resources(cpus: 1, custom: ["second": 1]) }
    static func run(_ counter: ActorHandle<Counter>) async throws -> Int {
        try await Ray.current().get(try await counter.remote { try await $0.increment() })
    }
}

/// Reads the cluster's key-value table from the second node.
struct ReadKeyOnSecondNode: RemoteFunction1 {
    static var resources: Resources { Resources(cpus: 1, custom: ["second": 1]) }
    static func run(_ key: String) async throws -> [UInt8]? {
        let ray = try Ray.current()
        try await ray.setValue([9], forKey: "seen by a task")
        return try await ray.value(forKey: key)
    }
}

/// An actor that puts values in its node's store and answers with refs to them.
distributed actor RefMaker: RayActor {
    typealias ActorSystem = RayActorSystem
    init(actorSystem: RayActorSystem, arguments: NoArguments) { self.actorSystem = actorSystem }
    distributed func make(_ count: Int) throws -> ObjectRef<[Int]> {
        try Ray.current().put(Array(0..<count))
    }
}

struct NodeIPOfTask: RemoteFunction0 {
    static func run() -> String { Ray.nodeIPAddress }
}

extension ClusterTests {
/// Clusters of several nodes on this machine (one driver per process at a time, like the rest).
@Suite struct MultiNodeTests {
    /// The seed's load-balance check: 100 tasks of 100 ms on three one-CPU nodes run at least 25
    /// on each node.
    @Test func aHundredTasksSpreadOverThreeNodes() async throws {
        try await TestNodes.with(cpus: [1, 1, 1]) { nodes in
            try await nodes.withDriver { ray in
                let where_ = try await ray.get(try (0..<100).map { _ in try NodeOfTask.remote(0.1) })
                let counts = Dictionary(grouping: where_, by: { $0 }).mapValues(\.count)
                #expect(counts.count == 3, "\(counts)")
                #expect(counts.values.allSatisfy { $0 >= 25 }, "\(counts)")
            }
        }
    }

    /// The same with a shared argument of a million floats, which each node fetches once.
    @Test func aHundredTasksWithASharedArraySpreadOverThreeNodes() async throws {
        try await TestNodes.with(cpus: [1, 1, 1]) { nodes in
            try await nodes.withDriver { ray in
                let shared = try ray.put(NDArray((0..<1_000_000).map(Float.init), shape: [1_000_000]))
                let where_ = try await ray.get(try (0..<100).map { _ in try NodeOfTaskWithArray.remote(shared) })
                let counts = Dictionary(grouping: where_, by: { $0 }).mapValues(\.count)
                #expect(counts.count == 3, "\(counts)")
                #expect(counts.values.allSatisfy { $0 >= 25 }, "\(counts)")
            }
        }
    }

    @Test func customResourcesRouteWorkAndObjectsMoveBetweenNodes() async throws {
        try await TestNodes.with(cpus: [1, 1], resources: [[:], ["second": 1]]) { nodes in
            try await nodes.withDriver { ray in
                let second = nodes.records[1]
                let ids = try await ray.get(try (0..<4).map { _ in try NodeIDOnSecondNode.remote() })
                #expect(Set(ids).count == 1 && ids[0] != ray.nodeID.value, "the tasks ran on the node with the resource")
                _ = second
                // 10 MB made on the second node, read here: pulled into this node's store.
                let count = 2_500_000
                let array = try await ray.get(try OnSecondNode.remote(count))
                #expect(array.count == count)
                let pointer = array.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress!) }
                #expect(ray.core.isInObjectStore(pointer), "the pulled copy is read in place from this node's shared memory")
                let wrong = array.withUnsafeBufferPointer { buffer in (0..<count).first { buffer[$0] != Float($0 % 1000) } }
                #expect(wrong == nil)
            }
        }
    }

    @Test func anObjectLargerThanTheReceivingStoreFailsClearly() async throws {
        try await TestNodes.with(cpus: [1, 1], resources: [[:], ["second": 1]], storeBytes: [32 << 20, 256 << 20]) { nodes in
            try await nodes.withDriver { ray in
                let big = try OnSecondNode.remote(16 << 20)  // 64 MB of floats, made on the second node
                let error = await #expect(throws: TaskError.self) { _ = try await ray.get(big) }
                #expect(error?.kind == .objectStore, "\(String(describing: error))")
                #expect(error?.message.contains("cannot be stored on this node") == true, "\(String(describing: error))")
                // The node still works.
                #expect(try await ray.get(try OnSecondNode.remote(1000)).count == 1000)
            }
        }
    }

    @Test func aDemandNoNodeCanMeetFailsNamingTheLargestNode() async throws {
        try await TestNodes.with(cpus: [1, 2]) { nodes in
            try await nodes.withDriver { ray in
                let error = await #expect(throws: TaskError.self) {
                    try await ray.get(try NodeOfTask.options(resources: Resources(cpus: 3)).remote(0))
                }
                #expect(error?.kind == .infeasible)
                #expect(error?.message.contains("the largest other node") == true && error?.message.contains("{CPU: 2}") == true,
                        "\(String(describing: error))")
            }
        }
    }

    @Test func theKeyValueTableIsSharedByTheWholeCluster() async throws {
        try await TestNodes.with(cpus: [1, 1], resources: [[:], ["second": 1]]) { nodes in
            try await nodes.withDriver { ray in
                try await ray.setValue(Array("10.0.0.1:9999".utf8), forKey: "parameter server")
                let read = try await ray.get(try ReadKeyOnSecondNode.remote("parameter server"))
                #expect(read == Array("10.0.0.1:9999".utf8))
                #expect(try await ray.value(forKey: "seen by a task") == [9])
                try await ray.setValue(nil, forKey: "parameter server")
                #expect(try await ray.value(forKey: "parameter server") == nil)
                await #expect(throws: RayError.self) { try await ray.setValue([UInt8](repeating: 0, count: 2 << 20), forKey: "too big") }
            }
        }
    }

    @Test func tasksKnowTheirNodesAddress() async throws {
        try await TestNodes.with(cpus: [1]) { nodes in
            try await nodes.withDriver { ray in
                let address = try await ray.get(try NodeIPOfTask.remote())
                #expect(address == "127.0.0.1")
                #expect(ray.nodeIPAddress == "127.0.0.1")
            }
        }
    }

    /// kill -9 of a raylet that is not the head: the cluster sees the node die, the task running
    /// there fails naming the node, and nothing hangs.
    @Test func aKilledNodesWorkFailsClearly() async throws {
        try await TestNodes.with(cpus: [1, 1], resources: [[:], ["second": 1]], nodeDeathTimeout: 3) { nodes in
            try await nodes.withDriver { ray in
                let doomed = try NodeOfTask.options(resources: Resources(cpus: 1, custom: ["second": 1])).remote(30)
                try await Task.sleep(for: .milliseconds(500))
                kill(nodes.rayletPID(of: 1), SIGKILL)
                let error = await #expect(throws: TaskError.self) { try await ray.get(doomed) }
                #expect(error?.kind == .nodeDied, "\(String(describing: error))")
                #expect(error?.message.contains("died") == true)
                #expect(await eventually(within: 10) { (try? nodes.aliveNodes().count) == 1 })
                let listed = try await ray.nodes()
                #expect(listed.count == 2 && listed.filter(\.isAlive).count == 1, "\(listed)")
                // The cluster goes on with the node that is left.
                let survivor = try await ray.get(try NodeOfTask.remote(0))
                #expect(survivor == ray.nodeID.value)
            }
        }
    }

    /// An actor that needs what only the second node has lives there; the driver on the head
    /// calls it over TCP, in order, and its state stays; a task on the second node calls it too;
    /// killing it reaches its node.
    @Test func anActorOnAnotherNodeTakesCallsFromEveryNode() async throws {
        // Two units of `second`: the actor holds one for its life, the task takes the other.
        try await TestNodes.with(cpus: [1, 1], resources: [[:], ["second": 2]]) { nodes in
            try await nodes.withDriver { ray in
                let counter = try await ray.createActor(Counter.self, options: ActorOptions(resources: Resources(custom: ["second": 1])))
                try await ray.ready(counter)
                var refs: [ObjectRef<Int>] = []
                for _ in 0..<100 { refs.append(try await counter.remote { try await $0.increment() }) }
                #expect(try await ray.get(refs) == Array(1...100))
                // The actor's node is the second one: a task there, given the handle, calls it too.
                let fromTask = try await ray.get(try IncrementOnSecondNode.remote(counter))
                #expect(fromTask == 101)
                let pid = try await counter.actor.pid()
                let slow = try await counter.remote { try await $0.nap(30) }
                try ray.kill(counter)
                let error = try await #require(throws: TaskError.self) { try await ray.get(slow) }
                #expect(error.kind == .actorDied, "\(error)")
                #expect(await eventually { !processIsAlive(pid) })
            }
        }
    }

    /// Two drivers, each its own job, on different nodes: the first makes a detached named actor
    /// on the second node and exits; the second finds it by name and its count goes on.
    @Test func aDetachedNamedActorOutlivesItsDriverAndIsFoundByAnother() async throws {
        try await TestNodes.with(cpus: [1, 1], resources: [[:], ["second": 1]]) { nodes in
            let driver = buildProductsDirectory() + "/RayTestDriver"
            func run(_ step: String, onNode node: Int) throws -> ProgramResult {
                try runProgram(driver, ["named-counter", step, "shared", "second"],
                               environment: ["RAY_ADDRESS": nodes.address, "RAY_TMPDIR": nodes.roots[node]], timeout: .seconds(60))
            }
            let first = try run("create", onNode: 0)
            #expect(first.succeeded && first.output.contains("counted 1"), "\(first)")
            let second = try run("use", onNode: 1)
            #expect(second.succeeded && second.output.contains("counted 2"), "\(second)")
        }
    }

    /// A ref in an actor's answer from another node names an object no message placed here: the
    /// node finds where it is and pulls it.
    @Test func aRefAnActorOnAnotherNodeAnswersWithCanBeRead() async throws {
        try await TestNodes.with(cpus: [1, 1], resources: [[:], ["second": 1]]) { nodes in
            try await nodes.withDriver { ray in
                let maker = try await ray.createActor(RefMaker.self, options: ActorOptions(resources: Resources(custom: ["second": 1])))
                let small = try await maker.actor.make(10)
                #expect(try await ray.get(small) == Array(0..<10))
                let large = try await maker.actor.make(100_000)
                #expect(try await ray.get(large) == Array(0..<100_000))
            }
        }
    }

    /// A raylet that stops answering (frozen, its connections still open) is declared dead when
    /// its heartbeats stop, and the task it ran fails naming the silence.
    @Test func aSilentNodeIsDeclaredDeadAfterTheHeartbeatTimeout() async throws {
        try await TestNodes.with(cpus: [1, 1], resources: [[:], ["second": 1]], nodeDeathTimeout: 2) { nodes in
            try await nodes.withDriver { ray in
                let stuck = try NodeOfTask.options(resources: Resources(cpus: 1, custom: ["second": 1])).remote(30)
                try await Task.sleep(for: .milliseconds(500))
                let raylet = nodes.rayletPID(of: 1)
                kill(raylet, SIGSTOP)
                defer { kill(raylet, SIGCONT) }
                let error = try await #require(throws: TaskError.self) { try await ray.get(stuck) }
                #expect(error.kind == .nodeDied)
                #expect(error.message.contains("no heartbeat for"), "\(error)")
                #expect(try nodes.aliveNodes().count == 1)
            }
        }
    }

    @Test func aNodeWithTheWrongTokenIsRefused() async throws {
        try await TestNodes.with(cpus: [1]) { nodes in
            let root = try OneMachineCluster.shortTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: root) }
            let tokenFile = root + "/token"
            try ClusterToken.random().write(to: tokenFile)
            let error = #expect(throws: RayError.self) {
                try NodeLauncher.start(NodeLauncher.Options(head: false, address: nodes.address, cpus: 1, tokenFile: tokenFile, root: root))
            }
            #expect(error?.description.contains("refused the cluster token") == true, "\(String(describing: error))")
        }
    }
}
}
