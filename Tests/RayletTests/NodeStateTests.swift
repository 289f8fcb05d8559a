import RayCore
import Testing
@testable import Raylet

@Suite struct NodeStateTests {
    @Test func aWorkerWithATokenThisNodeDidNotIssueIsRefused() throws {
        var node = try NodeHarness()
        let error = node.connectWorker(2, token: 12345)
        #expect(error?.contains("was not issued") == true)
        node.send(.submitTask(NodeHarness.spec(1)))
        // The forged worker gets no task, the one the node starts does.
        #expect(node.tasksSent(to: 2).isEmpty)
        let token = try #require(node.spawnTokens.first)
        #expect(node.connectWorker(3, token: token) == nil)
        #expect(node.tasksSent(to: 3) == [NodeHarness.spec(1).taskID])
    }

    @Test func aWorkerTokenServesOnce() throws {
        var node = try NodeHarness()
        node.send(.submitTask(NodeHarness.spec(1)))
        let token = try #require(node.spawnTokens.first)
        #expect(node.connectWorker(2, token: token) == nil)
        #expect(node.connectWorker(3, token: token) != nil)
    }

    @Test func workersThatFailToStartAreRetriedThenTheWaitingTaskFailsWithTheReason() throws {
        var node = try NodeHarness()
        let spec = NodeHarness.spec(1)
        node.send(.submitTask(spec))
        for attempt in 1...WorkerPool.startAttempts {
            #expect(node.spawnTokens.count == attempt)
            node.record(node.state.workerFailedToStart(token: node.spawnTokens.last!, reason: "cannot reach the control store", now: node.now))
        }
        #expect(node.spawnTokens.count == WorkerPool.startAttempts)
        let error = try #require(node.storedError(spec.returnIDs[0]))
        #expect(error.message.contains("cannot reach the control store"))
        #expect(node.log.contains(.report(error)))
        // Its CPU is free again: the next task asks for a worker anew.
        node.send(.submitTask(NodeHarness.spec(2)))
        #expect(node.spawnTokens.count == WorkerPool.startAttempts + 1)
    }

    @Test func aFailedStartAfterARegistrationIsIgnored() throws {
        var node = try NodeHarness()
        node.send(.submitTask(NodeHarness.spec(1)))
        let token = try #require(node.spawnTokens.first)
        #expect(node.connectWorker(2, token: token) == nil)
        #expect(node.state.workerFailedToStart(token: token, reason: "exited", now: node.now).isEmpty)
    }

    @Test func whenAWorkerDiesOnlyItsRunningTaskFailsAndTheQueuedOnesRunElsewhere() throws {
        var node = try NodeHarness()
        let specs = (1...3).map { NodeHarness.spec(UInt64($0)) }
        for spec in specs.prefix(2) { node.send(.submitTask(spec)) }
        #expect(node.connectWorker(2, token: node.spawnTokens[0]) == nil)
        node.send(.submitTask(specs[2]))
        // One runs on the node's one CPU; two wait at the worker behind it.
        #expect(Set(node.tasksSent(to: 2)) == Set(specs.map(\.taskID)))
        node.record(node.state.disconnect(2, now: node.now))
        #expect(node.storedError(specs[0].returnIDs[0])?.kind == .workerDied)
        #expect(node.state.objects.lookup(specs[1].returnIDs[0]) == nil)
        #expect(node.state.objects.lookup(specs[2].returnIDs[0]) == nil)
        let token = try #require(node.spawnTokens.last)
        #expect(node.connectWorker(3, token: token) == nil)
        #expect(Set(node.tasksSent(to: 3)) == Set([specs[1].taskID, specs[2].taskID]))
    }
}

@Suite struct NodeStateCancelTests {
    @Test func aCancelledGetLeavesNoWaiterAndTakesBackTheCPUsItLent() throws {
        var node = try NodeHarness()
        node.send(.submitTask(NodeHarness.spec(1)))
        #expect(node.connectWorker(2, token: node.spawnTokens[0]) == nil)
        #expect(node.state.scheduler.available.cpus == 0)
        let missing = ObjectID(task: TaskID(high: 9, low: 5), index: 1)
        node.send(.getObjects(request: 4, ids: [missing]), from: 2)
        #expect(node.state.scheduler.available.cpus == 1)
        node.send(.cancelRequest(request: 4), from: 2)
        #expect(node.state.scheduler.available.cpus == 0)
        let afterPut = node.send(.putObject(id: missing, payload: ObjectPayload.value([1]), contained: []))
        #expect(!afterPut.contains { if case .send(2, .objectsReply) = $0 { true } else { false } })
    }
}

@Suite struct NodeStateClockTests {
    @Test func waitTimeoutsAndIdleWorkersFollowTheClockTheNodeIsGiven() throws {
        var node = try NodeHarness()
        let missing = ObjectID(task: TaskID(high: 9, low: 1), index: 1)
        #expect(node.send(.waitObjects(request: 3, ids: [missing], numReturns: 1, timeoutMilliseconds: 500)).isEmpty)
        #expect(node.state.nextWaitDeadline == node.now + 0.5)
        #expect(node.record(node.state.tick(now: node.now + 0.4, idleTimeout: 10)).isEmpty)
        #expect(node.record(node.state.tick(now: node.now + 0.5, idleTimeout: 10)) == [.send(client: NodeHarness.driver, .waitReply(request: 3, ready: []))])
        // A worker that finished its task idles; it is stopped once idle for the timeout.
        let spec = NodeHarness.spec(1)
        node.send(.submitTask(spec))
        #expect(node.connectWorker(2, token: node.spawnTokens[0]) == nil)
        node.send(.taskDone(taskID: spec.taskID, results: [.inline(id: spec.returnIDs[0], payload: ObjectPayload.value([1]), contained: [])],
                            error: nil), from: 2)
        #expect(node.record(node.state.tick(now: node.now + 9, idleTimeout: 10)).isEmpty)
        #expect(node.record(node.state.tick(now: node.now + 10, idleTimeout: 10)) == [.stopWorker(client: 2)])
    }
}

@Suite struct NodeStateStoreFullTests {
    /// Fills the store with one object the driver holds: nothing can be evicted.
    private static func fullNode() throws -> NodeHarness {
        var node = try NodeHarness(storeCapacity: 1 << 20)
        let big = ObjectID(task: TaskID(high: 9, low: 9), index: 1)
        node.send(.createObject(request: 1, id: big, size: (1 << 20) - 64))
        node.send(.sealObject(id: big, contained: []))
        #expect(node.state.objects.isSealed(big))
        return node
    }

    /// The bytes the node answered a `get` of `id` with.
    private static func gotPayload(_ node: inout NodeHarness, _ id: ObjectID) -> [UInt8]? {
        let actions = node.send(.getObjects(request: 77, ids: [id]))
        for case let .send(_, .objectsReply(77, locations)) in actions {
            guard let location = locations.first else { return nil }
            if let payload = location.payload { return payload }
            return Array(UnsafeRawBufferPointer(node.state.arena.buffer(offset: location.offset, count: location.size)))
        }
        return nil
    }

    @Test func aPutThatCannotBeStoredBecomesAnErrorEveryWaiterSees() throws {
        var node = try Self.fullNode()
        let small = ObjectID(task: TaskID(high: 9, low: 10), index: 1)
        // A get and a task wait for it before it comes.
        let waiting = node.send(.getObjects(request: 5, ids: [small]))
        #expect(waiting.isEmpty)
        let spec = NodeHarness.spec(1, arguments: [.reference(small)])
        node.send(.submitTask(spec))
        node.send(.putObject(id: small, payload: ObjectPayload.value(Array(repeating: 1, count: 4000)), contained: []))
        let answered = node.log.contains { if case .send(_, .objectsReply(5, _)) = $0 { true } else { false } }
        #expect(answered)
        let payload = try #require(Self.gotPayload(&node, small))
        let record = try payload.withUnsafeBytes { try ObjectPayload.errorRecord($0) }
        #expect(record.message.contains("object store full"))
        // The task that takes it does not wait for ever either: it gets the error from a worker.
        #expect(node.spawnTokens.count == 1)
        #expect(node.connectWorker(2, token: node.spawnTokens[0]) == nil)
        let arguments = node.log.compactMap { if case let .send(2, .executeTask(_, arguments, _)) = $0 { arguments } else { nil } }
        #expect(arguments.first?.first?.payload == payload)
        let wait = node.send(.waitObjects(request: 6, ids: [small], numReturns: 1, timeoutMilliseconds: -1))
        #expect(wait.contains(.send(client: NodeHarness.driver, .waitReply(request: 6, ready: [small]))))
    }

    @Test func anErrorKeptOutsideTheStoreGoesWithItsLastHolder() throws {
        var node = try Self.fullNode()
        let small = ObjectID(task: TaskID(high: 9, low: 11), index: 1)
        node.send(.putObject(id: small, payload: ObjectPayload.value([1, 2, 3]), contained: []))
        #expect(Self.gotPayload(&node, small) != nil)
        node.send(.releaseObjects([small]))
        node.send(.removeReferences([small]))
        #expect(node.state.outsideObjects[small] == nil)
    }
}
