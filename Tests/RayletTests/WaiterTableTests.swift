import RayCore
import Testing
@testable import Raylet

@Suite struct WaiterTableTests {
    static let a = ObjectID(task: TaskID(high: 1, low: 1), index: 1)
    static let b = ObjectID(task: TaskID(high: 1, low: 2), index: 1)

    @Test func aGetIsSatisfiedWhenItsLastMissingObjectArrivesOnceEvenIfNamedTwice() {
        var table = WaiterTable()
        let get = ObjectWaiter(client: 1, request: 9, ids: [Self.a, Self.b, Self.a], kind: .get)
        let (key, immediate) = table.add(get, distinct: Set(get.ids).count, missing: [Self.a, Self.b], now: 0)
        #expect(!immediate)
        #expect(table[key]?.pending == true)
        #expect(table.objectArrived(Self.a).isEmpty)
        #expect(table.objectArrived(Self.b) == [key])
        #expect(table.remove(key)?.request == 9)
        #expect(table.objectArrived(Self.a).isEmpty)
    }

    @Test func aWaitNeedsOnlyItsCountAndExpiresAtItsDeadline() {
        var table = WaiterTable()
        let wait = ObjectWaiter(client: 2, request: 1, ids: [Self.a, Self.b], kind: .wait(numReturns: 1, deadline: 5))
        let (key, _) = table.add(wait, distinct: Set(wait.ids).count, missing: [Self.a, Self.b], now: 0)
        #expect(table.nextDeadline == 5)
        #expect(table.expired(now: 4.9).isEmpty)
        #expect(table.expired(now: 5) == [key])
        #expect(table.objectArrived(Self.b) == [key])
        let late = ObjectWaiter(client: 2, request: 2, ids: [Self.a], kind: .wait(numReturns: 1, deadline: 1))
        #expect(table.add(late, distinct: Set(late.ids).count, missing: [Self.a], now: 2).immediate)
    }

    @Test func whatIsAvailableAnswersAtOnceAndAClientsWaitersCanBeDropped() {
        var table = WaiterTable()
        #expect(table.add(ObjectWaiter(client: 1, request: 1, ids: [Self.a], kind: .get), distinct: 1, missing: [], now: 0).immediate)
        let (key, _) = table.add(ObjectWaiter(client: 3, request: 2, ids: [Self.b], kind: .get), distinct: 1, missing: [Self.b], now: 0)
        #expect(table.keys(of: 3) == [key])
        table.remove(key)
        #expect(table.objectArrived(Self.b).isEmpty)
    }
}
