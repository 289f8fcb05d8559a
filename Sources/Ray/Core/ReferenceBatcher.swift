import Dispatch
import RayCore
import Synchronization

/// Collects this process's reference changes (first holds, last releases, finished reads) and
/// sends them to the raylet in one frame pair: just before the next message that depends on
/// them, or a moment later. Getting an object that holds 10,000 refs thus costs two frames, not
/// 20,000. All additions are sent before all removals, which keeps every count right whatever
/// the order of the changes in between.
final class ReferenceBatcher: Sendable {
    private let pending = Mutex<(add: [ObjectID], remove: [ObjectID], flushScheduled: Bool)>(([], [], false))
    private let deliver: @Sendable ([Message]) -> Void

    /// - Parameter deliver: sends messages in order, in one write.
    init(deliver: @escaping @Sendable ([Message]) -> Void) {
        self.deliver = deliver
    }

    func add(_ ids: [ObjectID]) { enqueue { $0.add.append(contentsOf: ids) } }
    func remove(_ ids: [ObjectID]) { enqueue { $0.remove.append(contentsOf: ids) } }

    /// The pending changes as messages, emptied; put them before the next message sent.
    func drain() -> [Message] {
        let (add, remove) = pending.withLock { state in
            defer {
                state.add = []
                state.remove = []
            }
            return (state.add, state.remove)
        }
        var messages: [Message] = []
        if !add.isEmpty { messages.append(.addReferences(add)) }
        if !remove.isEmpty { messages.append(.removeReferences(remove)) }
        return messages
    }

    private func enqueue(_ change: (inout (add: [ObjectID], remove: [ObjectID], flushScheduled: Bool)) -> Void) {
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
