import RayCore
import RayObjectStore
import Testing
@testable import Raylet

/// Two nodes' state machines wired to each other in process: what node A sends node B (its
/// `sendToPeer` actions) B handles as a message from its peer client for A, and what B sends
/// that client A handles as a peer's answer. No sockets; the object bytes B streams are copied
/// between the two arenas the way the raylet copies arriving chunks.
struct NodePair {
    static let nodeA = NodeID(0xA)
    static let nodeB = NodeID(0xB)
    /// The client ID of A's connection at B.
    static let peerAtB = 90

    var a: NodeHarness
    var b: NodeHarness
    /// Every message A sent B, in order.
    private(set) var toB: [Message] = []
    /// Every message B sent A, in order.
    private(set) var toA: [Message] = []

    init(cpusA: Double = 1, cpusB: Double = 1, gpusB: Double = 0, storeCapacity: Int = 1 << 20) throws {
        a = try NodeHarness(cpus: cpusA, storeCapacity: storeCapacity, nodeID: Self.nodeA)
        b = try NodeHarness(cpus: cpusB, gpus: gpusB, storeCapacity: storeCapacity, nodeID: Self.nodeB)
        b.state.connect(Self.peerAtB)
        b.state.peerConnected(Self.peerAtB, node: Self.nodeA)
        let infoB = NodeInfo(nodeID: Self.nodeB, rayletAddress: "/b", resources: Resources(cpus: cpusB, gpus: gpusB),
                             storeCapacity: storeCapacity, sessionDirectory: "/s", nodeIP: "10.0.0.2", peerAddress: "10.0.0.2:7000")
        deliver(a.record(a.state.peerJoined(infoB, now: a.now)))
    }

    /// Delivers what `actions` (of node A) send to B, and B's answers back, until both are quiet.
    mutating func deliver(_ actions: [NodeAction]) {
        var pendingA = actions
        while !pendingA.isEmpty {
            var pendingB = [NodeAction]()
            for case let .sendToPeer(node, message) in pendingA where node == Self.nodeB {
                toB.append(message)
                pendingB += b.send(message, from: Self.peerAtB)
            }
            pendingA = []
            pendingA += answers(from: pendingB)
        }
    }

    /// B's actions: delivers what they send A's peer client to A, returning A's resulting actions.
    mutating func answers(from actions: [NodeAction]) -> [NodeAction] {
        var result = [NodeAction]()
        for action in actions {
            switch action {
            case let .send(client, message) where client == Self.peerAtB:
                toA.append(message)
                result += a.record(a.state.handlePeerReply(message, from: Self.nodeB, now: a.now))
            case let .sendObject(client, id, offset, size, contained) where client == Self.peerAtB:
                let (start, begun) = a.state.beginIncoming(id, size: size, contained: contained, from: Self.nodeB, now: a.now)
                result += a.record(begun)
                if case let .write(base) = start {
                    a.state.arena.buffer(offset: base, count: size).copyMemory(from: UnsafeRawBufferPointer(b.state.arena.buffer(offset: offset, count: size)))
                }
                result += a.record(a.state.incomingWritten(id, count: size, now: a.now))
            default:
                break
            }
        }
        return result
    }

    /// A's one CPU takes task 1 (waiting for a worker); task 2 is forwarded to B. Returns task 2.
    mutating func submitTwoTasksAtA() -> TaskSpec {
        submitAtA(.submitTask(NodeHarness.spec(1)))
        let second = NodeHarness.spec(2)
        submitAtA(.submitTask(second))
        return second
    }

    /// As `submitTwoTasksAtA`, and B's worker (client 2) registers and is sent task 2.
    mutating func forwardATaskToB() throws -> TaskSpec {
        let second = submitTwoTasksAtA()
        #expect(b.connectWorker(2, token: try #require(b.spawnTokens.first)) == nil)
        return second
    }

    /// Sends `message` from A's driver and delivers the consequences.
    mutating func submitAtA(_ message: Message) {
        deliver(a.send(message))
    }

    /// Runs B's side of a step (a worker's message) and delivers what reaches A.
    mutating func atB(_ message: Message, from client: Int) {
        deliver(answers(from: b.send(message, from: client)))
    }
}

@Suite struct ClusterStateTests {
    static func payload(_ byte: UInt8, count: Int = 9) -> [UInt8] {
        [0x52, 0x56, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: byte, count: count - 8)
    }

    @Test func aTaskThatFindsNoFreeCPUHereRunsOnTheNodeThatHasOneAndItsResultComesBack() throws {
        var pair = try NodePair()
        let first = NodeHarness.spec(1), second = NodeHarness.spec(2)
        pair.submitAtA(.submitTask(first))
        pair.submitAtA(.submitTask(second))
        #expect(pair.a.spawnTokens.count == 1, "the first task waits for a worker of node A")
        guard case let .forwardTask(forwarded, executable, _, queueIfBusy)? = pair.toB.first else {
            Issue.record("nothing was forwarded: \(pair.toB)")
            return
        }
        #expect(forwarded == second && executable == "/bin/app" && !queueIfBusy)
        // B starts a worker of the job's program, which runs the task and answers inline.
        let token = try #require(pair.b.spawnTokens.first)
        #expect(pair.b.connectWorker(2, token: token) == nil)
        #expect(pair.b.tasksSent(to: 2) == [second.taskID])
        let result = second.returnIDs[0]
        pair.atB(.taskDone(taskID: second.taskID, results: [.inline(id: result, payload: Self.payload(7), contained: [])], error: nil), from: 2)
        #expect(pair.a.state.objects.isSealed(result), "the result is stored on the submitting node")
        // B let go of the copy it sent back; A's driver holds its own.
        #expect(pair.b.state.objects.referenceCount(result) == 0)
        #expect(pair.a.state.objects.referenceCount(result) == 1)
        #expect(pair.a.state.forwarded.isEmpty && pair.a.state.cluster[NodePair.nodeB]?.inFlight == 0)
    }

    @Test func aLargeResultStaysWhereItWasMadeUntilAGetPullsItAndIsFreedThereWhenItsHolderLetsGo() throws {
        var pair = try NodePair()
        let spec = try pair.forwardATaskToB()
        let result = spec.returnIDs[0]
        let size = 200_000
        pair.atB(.createObject(request: 1, id: result, size: size), from: 2)
        pair.atB(.sealObject(id: result, contained: []), from: 2)
        pair.atB(.taskDone(taskID: spec.taskID, results: [.stored(id: result)], error: nil), from: 2)
        #expect(!pair.a.state.objects.contains(result), "nothing pulls a large result before someone needs it")
        #expect(pair.b.state.objects.referenceCount(result) == 1, "B keeps it for A")
        pair.submitAtA(.getObjects(request: 5, ids: [result]))
        #expect(pair.toB.contains(.pullObject(result)))
        #expect(pair.a.state.objects.isSealed(result))
        let replied = pair.a.log.contains { if case let .send(NodeHarness.driver, .objectsReply(5, locations)) = $0 { locations.map(\.size) == [size] } else { false } }
        #expect(replied)
        #expect(pair.toB.last == .releaseObjects([result]), "the sender's pin for the transfer goes")
        // The driver lets go of the result: A tells B, whose copy becomes evictable.
        pair.submitAtA(.releaseObjects([result]))
        pair.submitAtA(.removeReferences([result]))
        #expect(pair.toB.last == .removeReferences([result]))
        #expect(pair.b.state.objects.referenceCount(result) == 0)
        // Nothing here refers to it: where it was is forgotten (the table does not grow per object).
        #expect(pair.a.state.remote.location(of: result) == nil && pair.a.state.remote.isEmpty)
    }

    @Test func twoGetsOfOneRemoteObjectMakeOneTransfer() throws {
        var pair = try NodePair()
        let spec = try pair.forwardATaskToB()
        let result = spec.returnIDs[0]
        pair.atB(.createObject(request: 1, id: result, size: 100_000), from: 2)
        // The task has not answered yet: gets wait for it without asking B.
        pair.submitAtA(.getObjects(request: 5, ids: [result]))
        pair.submitAtA(.getObjects(request: 6, ids: [result]))
        #expect(!pair.toB.contains(.pullObject(result)))
        pair.atB(.sealObject(id: result, contained: []), from: 2)
        pair.atB(.taskDone(taskID: spec.taskID, results: [.stored(id: result)], error: nil), from: 2)
        #expect(pair.toB.filter { $0 == .pullObject(result) }.count == 1)
        let answered = pair.a.log.filter { if case .send(NodeHarness.driver, .objectsReply) = $0 { true } else { false } }
        #expect(answered.count == 2)
    }

    @Test func aBusyNodeRejectsAForwardedTaskWhichThenWaitsWhereItWasSubmitted() throws {
        var pair = try NodePair()
        // B's own work takes its CPU first.
        pair.b.send(.submitTask(TaskSpec(taskID: TaskID(high: 9, low: 1), jobID: NodeHarness.job, parentTaskID: TaskID(high: 0, low: 0),
                                          functionName: "f", displayName: "B1", arguments: [], returnCount: 1, resources: Resources(cpus: 1))))
        let spec = pair.submitTwoTasksAtA()
        #expect(pair.toA.contains(.taskRejected(spec.taskID)))
        #expect(pair.a.state.forwarded.isEmpty)
        #expect(pair.a.state.scheduler.readyCount == 1, "the task waits on A again")
        #expect(pair.a.state.cluster[NodePair.nodeB]?.available.cpus == 0, "B counts as full until it reports")
    }

    @Test func aTaskNoNodeButAnotherCanRunGoesThereAndWaitsForIt() throws {
        var pair = try NodePair(gpusB: 1)
        let spec = TaskSpec(taskID: TaskID(high: 3, low: 1), jobID: NodeHarness.job, parentTaskID: TaskID(high: 0, low: 0), functionName: "f",
                            displayName: "G", arguments: [], returnCount: 1, resources: Resources(cpus: 1, gpus: 1))
        pair.submitAtA(.submitTask(spec))
        guard case let .forwardTask(forwarded, _, _, queueIfBusy)? = pair.toB.first else {
            Issue.record("nothing was forwarded: \(pair.toB)")
            return
        }
        #expect(forwarded.taskID == spec.taskID && queueIfBusy)
    }

    @Test func aDemandNoNodeCanMeetFailsNamingItAndTheLargestNode() throws {
        var pair = try NodePair(gpusB: 1)
        let spec = TaskSpec(taskID: TaskID(high: 3, low: 1), jobID: NodeHarness.job, parentTaskID: TaskID(high: 0, low: 0), functionName: "f",
                            displayName: "G", arguments: [], returnCount: 1, resources: Resources(cpus: 1, gpus: 4))
        pair.submitAtA(.submitTask(spec))
        let error = try #require(pair.a.storedError(spec.returnIDs[0]))
        #expect(error.kind == .infeasible)
        #expect(error.message.contains("{CPU: 1, GPU: 4}") && error.message.contains("node 000000000000000b (10.0.0.2), has {CPU: 1, GPU: 1}"),
                "\(error.message)")
        #expect(pair.toB.isEmpty)
    }

    @Test func whenANodeDiesItsForwardedTasksFailNamingItAndItsObjectsFailTheirWaiters() throws {
        var pair = try NodePair()
        let spec = pair.submitTwoTasksAtA()
        #expect(!pair.a.state.forwarded.isEmpty)
        pair.submitAtA(.getObjects(request: 5, ids: spec.returnIDs))
        pair.deliver(pair.a.record(pair.a.state.peerDied(NodePair.nodeB, reason: "no heartbeat for 10 s", now: pair.a.now)))
        let error = try #require(pair.a.storedError(spec.returnIDs[0]))
        #expect(error.kind == .nodeDied)
        #expect(error.message == "node 000000000000000b (10.0.0.2) died while running it: no heartbeat for 10 s")
        let answered = pair.a.log.contains { if case .send(NodeHarness.driver, .objectsReply(5, _)) = $0 { true } else { false } }
        #expect(answered, "the get waiting for the result is answered with the error")
        #expect(pair.a.state.cluster.isEmpty)
    }

    @Test func aPulledObjectKeepsWhatItContainsAliveOnTheNodeItCameFrom() throws {
        var pair = try NodePair()
        let spec = try pair.forwardATaskToB()
        // The worker puts an inner object and returns a large value that contains it.
        let inner = ObjectID(task: spec.taskID, index: 0x8000_0001)
        pair.atB(.putObject(id: inner, payload: Self.payload(1), contained: []), from: 2)
        let result = spec.returnIDs[0]
        pair.atB(.createObject(request: 1, id: result, size: 100_000), from: 2)
        pair.atB(.sealObject(id: result, contained: [inner]), from: 2)
        pair.atB(.removeReferences([inner]), from: 2)
        pair.atB(.taskDone(taskID: spec.taskID, results: [.stored(id: result)], error: nil), from: 2)
        pair.submitAtA(.getObjects(request: 5, ids: [result]))
        #expect(pair.a.state.objects.isSealed(result))
        #expect(pair.toB.contains(.addReferences([inner])), "A holds the inner object on B before it releases the container")
        let addIndex = try #require(pair.toB.firstIndex(of: .addReferences([inner])))
        let releaseIndex = try #require(pair.toB.firstIndex(of: .releaseObjects([result])))
        #expect(addIndex < releaseIndex)
        #expect(pair.b.state.objects.referenceCount(inner) >= 1)
    }

    /// A small result that refers to an object the task put on the other node: the object stays
    /// held there for this node, and a get of it pulls it from there.
    @Test func aSmallResultsContainedObjectIsHeldWhereItIsAndPulledFromThere() throws {
        var pair = try NodePair()
        let spec = try pair.forwardATaskToB()
        let inner = ObjectID(task: spec.taskID, index: 0x8000_0001)
        pair.atB(.createObject(request: 1, id: inner, size: 100_000), from: 2)
        pair.atB(.sealObject(id: inner, contained: []), from: 2)
        let result = spec.returnIDs[0]
        pair.atB(.taskDone(taskID: spec.taskID, results: [.inline(id: result, payload: Self.payload(3), contained: [inner])], error: nil), from: 2)
        // The worker lets go of what it put; B keeps it for A.
        pair.atB(.removeReferences([inner]), from: 2)
        #expect(pair.b.state.objects.referenceCount(inner) >= 1)
        pair.submitAtA(.getObjects(request: 7, ids: [inner]))
        #expect(pair.toB.contains(.pullObject(inner)))
        #expect(pair.a.state.objects.isSealed(inner))
        // While A keeps the result (even unreferenced, in its cache), the result holds the inner
        // object, and so does A's hold at B; the hold goes when the result is evicted.
        pair.submitAtA(.releaseObjects([inner]))
        pair.submitAtA(.removeReferences([result]))
        #expect(!pair.toB.contains(.removeReferences([inner])))
    }

    /// An object needed here that no message placed: every other node is asked, the one that has
    /// it answers, and it is pulled from there; the question is asked again while it is missing.
    @Test func anObjectNoHintPlacedIsSearchedForAndPulledFromTheNodeThatHasIt() throws {
        var pair = try NodePair()
        // A put on B by a client of B, known to A only by its ID (as a ref inside an actor's answer).
        let elsewhere = ObjectID(task: TaskID(high: 77, low: 1), index: 0x8000_0001)
        pair.b.send(.putObject(id: elsewhere, payload: Self.payload(5), contained: []))
        let unknown = ObjectID(task: TaskID(high: 77, low: 2), index: 0x8000_0001)
        pair.submitAtA(.getObjects(request: 4, ids: [elsewhere, unknown]))
        #expect(pair.toB.contains(.locateObject(elsewhere)) && pair.toB.contains(.locateObject(unknown)))
        #expect(pair.toA.contains(.objectLocated(id: elsewhere, size: 9)))
        #expect(pair.a.state.objects.isSealed(elsewhere), "pulled from B")
        // The one nobody has yet is asked for again a second later, and found once B has it.
        pair.b.send(.putObject(id: unknown, payload: Self.payload(6), contained: []))
        pair.a.now += NodeState.searchInterval
        pair.deliver(pair.a.record(pair.a.state.tick(now: pair.a.now, idleTimeout: 100)))
        #expect(pair.a.state.objects.isSealed(unknown))
        let answered = pair.a.log.contains { if case .send(NodeHarness.driver, .objectsReply(4, _)) = $0 { true } else { false } }
        #expect(answered)
    }
}
