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
        for attempt in 1...NodeState.workerStartAttempts {
            #expect(node.spawnTokens.count == attempt)
            node.record(node.state.workerFailedToStart(token: node.spawnTokens.last!, reason: "cannot reach the control store"))
        }
        #expect(node.spawnTokens.count == NodeState.workerStartAttempts)
        let error = try #require(node.storedError(spec.returnIDs[0]))
        #expect(error.message.contains("cannot reach the control store"))
        #expect(node.log.contains(.report(error)))
        // Its CPU is free again: the next task asks for a worker anew.
        node.send(.submitTask(NodeHarness.spec(2)))
        #expect(node.spawnTokens.count == NodeState.workerStartAttempts + 1)
    }

    @Test func aFailedStartAfterARegistrationIsIgnored() throws {
        var node = try NodeHarness()
        node.send(.submitTask(NodeHarness.spec(1)))
        let token = try #require(node.spawnTokens.first)
        #expect(node.connectWorker(2, token: token) == nil)
        #expect(node.state.workerFailedToStart(token: token, reason: "exited").isEmpty)
    }

    @Test func whenAWorkerDiesOnlyItsRunningTaskFailsAndTheQueuedOnesRunElsewhere() throws {
        var node = try NodeHarness()
        let specs = (1...3).map { NodeHarness.spec(UInt64($0)) }
        for spec in specs.prefix(2) { node.send(.submitTask(spec)) }
        #expect(node.connectWorker(2, token: node.spawnTokens[0]) == nil)
        node.send(.submitTask(specs[2]))
        // One runs on the node's one CPU; two wait at the worker behind it.
        #expect(Set(node.tasksSent(to: 2)) == Set(specs.map(\.taskID)))
        node.record(node.state.disconnect(2))
        #expect(node.storedError(specs[0].returnIDs[0])?.kind == .workerDied)
        #expect(node.state.objects.lookup(specs[1].returnIDs[0]) == nil)
        #expect(node.state.objects.lookup(specs[2].returnIDs[0]) == nil)
        let token = try #require(node.spawnTokens.last)
        #expect(node.connectWorker(3, token: token) == nil)
        #expect(Set(node.tasksSent(to: 3)) == Set([specs[1].taskID, specs[2].taskID]))
    }
}
