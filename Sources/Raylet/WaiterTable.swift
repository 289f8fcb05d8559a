import RayCore

/// The clients' `get`s and `wait`s that wait for objects, indexed by the objects each still
/// misses: a seal costs O(waiters of that object), and checking a waiter O(1), so a `get` of
/// 10,000 refs is not rescanned on every seal.
struct WaiterTable {
    private var waiters: [UInt64: ObjectWaiter] = [:]
    private var byObject: [ObjectID: [UInt64]] = [:]
    private var nextKey: UInt64 = 0

    subscript(key: UInt64) -> ObjectWaiter? { waiters[key] }

    /// Adds a waiter, given how many distinct objects it names and which of them are `missing`
    /// (not available). It is `immediate` when it can be answered now (satisfied, or a `wait`
    /// past its deadline): then it is not indexed, and the caller answers and removes it;
    /// otherwise it is `pending`.
    mutating func add(_ waiter: ObjectWaiter, distinct: Int, missing: Set<ObjectID>, now: Double) -> (key: UInt64, immediate: Bool) {
        var waiter = waiter
        let key = nextKey
        nextKey += 1
        waiter.distinct = distinct
        waiter.missing = missing.count
        if case let .wait(_, deadline?) = waiter.kind, deadline <= now {
            waiters[key] = waiter
            return (key, true)
        }
        if Self.isSatisfied(waiter) {
            waiters[key] = waiter
            return (key, true)
        }
        waiter.pending = true
        waiters[key] = waiter
        for id in missing { byObject[id, default: []].append(key) }
        return (key, false)
    }

    /// An object became available: the keys of the waiters that it satisfied.
    mutating func objectArrived(_ id: ObjectID) -> [UInt64] {
        guard let keys = byObject[id] else { return [] }
        var satisfied = [UInt64]()
        for key in keys where waiters[key] != nil {
            waiters[key]!.missing -= 1
            if Self.isSatisfied(waiters[key]!) { satisfied.append(key) }
        }
        return satisfied
    }

    /// Whether a waiter still misses `id`.
    func isWaiting(for id: ObjectID) -> Bool { byObject[id] != nil }

    @discardableResult
    mutating func remove(_ key: UInt64) -> ObjectWaiter? {
        guard let waiter = waiters.removeValue(forKey: key) else { return nil }
        for id in Set(waiter.ids) {
            byObject[id]?.removeAll { $0 == key }
            if byObject[id]?.isEmpty == true { byObject[id] = nil }
        }
        return waiter
    }

    /// The waiters of one client (to drop when it goes).
    func keys(of client: Int) -> [UInt64] {
        waiters.compactMap { $0.value.client == client ? $0.key : nil }
    }

    /// The `wait`s whose deadline passed.
    func expired(now: Double) -> [UInt64] {
        waiters.compactMap { key, waiter in
            if case let .wait(_, deadline?) = waiter.kind, deadline <= now { key } else { nil }
        }
    }

    var nextDeadline: Double? {
        waiters.values.compactMap { if case let .wait(_, deadline) = $0.kind { deadline } else { nil } }.min()
    }

    private static func isSatisfied(_ waiter: ObjectWaiter) -> Bool {
        switch waiter.kind {
        case .get, .pull: waiter.missing == 0
        case let .wait(numReturns, _): waiter.distinct - waiter.missing >= numReturns
        }
    }
}
