@testable import Ray
import RayCore
import Synchronization
import Testing

@Suite struct RayletBatcherTests {
    private func id(_ n: UInt64) -> ObjectID { ObjectID(task: TaskID(high: 3, low: n), index: 1) }

    @Test func anAdditionAndARemovalOfTheSameObjectCancel() {
        var add = [id(1), id(2), id(1)]
        var remove = [id(1), id(3)]
        RayletBatcher.cancelPairs(&add, &remove)
        #expect(add.sorted { $0.task.low < $1.task.low } == [id(1), id(2)])
        #expect(remove == [id(3)])
    }

    @Test func changesOfDifferentObjectsAreKeptInOrder() {
        var add = [id(1), id(2)]
        var remove = [id(3), id(4)]
        RayletBatcher.cancelPairs(&add, &remove)
        #expect(add == [id(1), id(2)])
        #expect(remove == [id(3), id(4)])
    }

    @Test func aHeldAndDroppedObjectSendsNothing() {
        let sent = Mutex<[Message]>([])
        let batcher = RayletBatcher { messages in sent.withLock { $0.append(contentsOf: messages) } }
        batcher.add(id(1))
        batcher.add([id(2)])
        batcher.remove(id(1))
        #expect(batcher.drain() == [.addReferences([id(2)])])
        #expect(batcher.drain() == [])
    }
}

@Suite struct HoldTableTests {
    private func id(_ n: UInt64) -> ObjectID { ObjectID(task: TaskID(high: 5, low: n), index: 1) }

    @Test func onlyTheFirstHoldAndTheLastReleaseCount() {
        let table = HoldTable()
        #expect(table.add(id(1)))
        #expect(!table.add(id(1)))
        let (firsts, repeats) = table.add([id(1), id(2)])
        #expect(firsts == [id(2)] && repeats == [id(1)])
        #expect(!table.release(id(1)))
        #expect(table.release([id(1), id(1), id(2)]) == [id(1), id(2)])
    }

    @Test func readinessIsForgottenWithTheLastHold() {
        let table = HoldTable()
        _ = table.add([id(1), id(2), id(3)])
        table.markReady([id(1), id(3)])
        #expect(table.ready(among: [id(3), id(2), id(1)], limit: 5) == [id(3), id(1)])
        #expect(table.ready(among: [id(3), id(2), id(1)], limit: 1) == [id(3)])
        #expect(table.release(id(3)))
        _ = table.add(id(3))
        #expect(table.ready(among: [id(3), id(1)], limit: 5) == [id(1)])
    }
}
