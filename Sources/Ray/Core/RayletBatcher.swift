import Dispatch
import RayCore
import Synchronization

/// Collects what this process must tell the raylet, but not at once: its reference changes (first
/// holds, last releases, finished reads) and the results its actor calls received. They go in one
/// write just before the next message that may depend on them, or a moment later. Getting an
/// object that holds 10,000 refs thus costs two frames, not 20,000, and a stream of actor calls
/// does not wake the raylet for each result. All additions go first and all removals last, which
/// keeps every count right whatever the order of the changes in between.
final class RayletBatcher: Sendable {
    private struct Pending {
        var add: [ObjectID] = []
        var stores: [Message] = []
        var remove: [ObjectID] = []
        var flushScheduled = false
    }

    private let pending = Mutex(Pending())
    private let deliver: @Sendable ([Message]) -> Void

    /// - Parameter deliver: sends messages in order, in one write.
    init(deliver: @escaping @Sendable ([Message]) -> Void) {
        self.deliver = deliver
    }

    func add(_ ids: [ObjectID]) { enqueue { $0.add.append(contentsOf: ids) } }
    func add(_ id: ObjectID) { enqueue { $0.add.append(id) } }
    func remove(_ ids: [ObjectID]) { enqueue { $0.remove.append(contentsOf: ids) } }
    func remove(_ id: ObjectID) { enqueue { $0.remove.append(id) } }

    var hasPendingAdditions: Bool { pending.withLock { !$0.add.isEmpty } }

    /// Messages that store objects (`putResult`, `dropActorHolds`), sent in order.
    func store(_ messages: [Message]) { enqueue { $0.stores.append(contentsOf: messages) } }

    /// The pending changes as messages, emptied; put them before the next message sent.
    func drain() -> [Message] {
        var (add, stores, remove) = pending.withLock { state in
            defer {
                state.add = []
                state.stores = []
                state.remove = []
            }
            return (state.add, state.stores, state.remove)
        }
        Self.cancelPairs(&add, &remove)
        var messages: [Message] = []
        if !add.isEmpty { messages.append(.addReferences(add)) }
        messages.append(contentsOf: stores)
        if !remove.isEmpty { messages.append(.removeReferences(remove)) }
        return messages
    }

    /// Drops each addition that a removal of the same object in this batch undoes, and that
    /// removal: sent together, the two would leave the raylet's count where it is. (Getting a
    /// value that holds 10,000 refs and dropping it again is 20,000 such changes.)
    static func cancelPairs(_ add: inout [ObjectID], _ remove: inout [ObjectID]) {
        guard !add.isEmpty, !remove.isEmpty else { return }
        var unmatched = [ObjectID: Int](minimumCapacity: add.count)
        for id in add { unmatched[id, default: 0] += 1 }
        let before = remove.count
        remove.removeAll { id in
            guard let index = unmatched.index(forKey: id) else { return false }
            if unmatched.values[index] == 1 { unmatched.remove(at: index) } else { unmatched.values[index] -= 1 }
            return true
        }
        guard remove.count < before else { return }
        add = unmatched.flatMap { id, count in repeatElement(id, count: count) }
    }

    private func enqueue(_ change: (inout Pending) -> Void) {
        let schedule = pending.withLock { state -> Bool in
            change(&state)
            defer { state.flushScheduled = true }
            return !state.flushScheduled
        }
        guard schedule else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(2)) { [self] in
            pending.withLock { $0.flushScheduled = false }
            let messages = drain()
            if !messages.isEmpty { deliver(messages) }
        }
    }
}
