import RayCore
import Synchronization

/// This process's holds on objects, counted per object, and which held objects it knows to be
/// ready. One lock covers both, because letting go of the last hold forgets both at once.
final class HoldTable: Sendable {
    private struct State {
        var counts: [ObjectID: Int] = [:]
        var ready: Set<ObjectID> = []
    }

    private let state = Mutex(State())

    /// Adds a hold on `id`; true when it is the first.
    func add(_ id: ObjectID) -> Bool {
        state.withLock { state in Self.add(id, to: &state) }
    }

    /// Adds a hold on each of `ids`: those held for the first time, and the others.
    func add(_ ids: [ObjectID]) -> (firsts: [ObjectID], repeats: [ObjectID]) {
        var firsts = [ObjectID]()
        var repeats = [ObjectID]()
        state.withLock { state in
            for id in ids {
                if Self.add(id, to: &state) { firsts.append(id) } else { repeats.append(id) }
            }
        }
        return (firsts, repeats)
    }

    /// Drops a hold on `id`; true when it was the last (or `id` was not held).
    func release(_ id: ObjectID) -> Bool {
        state.withLock { state in Self.release(id, from: &state) }
    }

    /// Drops a hold on each of `ids`; those whose last hold went.
    func release(_ ids: [ObjectID]) -> [ObjectID] {
        state.withLock { state in ids.filter { Self.release($0, from: &state) } }
    }

    /// Remembers that those of `ids` still held are ready, and returns those.
    @discardableResult
    func markReady(_ ids: [ObjectID]) -> Set<ObjectID> {
        state.withLock { state in
            var held = Set<ObjectID>()
            for id in ids where state.counts[id] != nil {
                state.ready.insert(id)
                held.insert(id)
            }
            return held
        }
    }

    /// Up to `limit` of `ids` known to be ready, in their order.
    func ready(among ids: [ObjectID], limit: Int) -> [ObjectID] {
        state.withLock { state in
            var found = [ObjectID]()
            for id in ids where found.count < limit && state.ready.contains(id) { found.append(id) }
            return found
        }
    }

    private static func add(_ id: ObjectID, to state: inout State) -> Bool {
        if let index = state.counts.index(forKey: id) {
            state.counts.values[index] += 1
            return false
        }
        state.counts[id] = 1
        return true
    }

    private static func release(_ id: ObjectID, from state: inout State) -> Bool {
        guard let index = state.counts.index(forKey: id) else { return true }
        if state.counts.values[index] > 1 {
            state.counts.values[index] -= 1
            return false
        }
        state.counts.remove(at: index)
        state.ready.remove(id)
        return true
    }
}
