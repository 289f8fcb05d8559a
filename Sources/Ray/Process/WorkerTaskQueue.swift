import RayCore
import Synchronization

/// The tasks a worker was assigned and has not finished. The raylet may queue tasks behind the
/// running one (so the worker starts the next without a round trip); they run one at a time, in
/// order. A queued task must never wait behind a running task that waits itself (for it,
/// perhaps), so when the running task blocks in `get` or `wait` the queue is handed back to the
/// raylet, and tasks that arrive while it is blocked go straight back too.
final class WorkerTaskQueue: Sendable {
    struct Assignment: Sendable {
        let spec: TaskSpec
        let arguments: [ObjectLocation]
        let gpuIDs: [Int]
    }

    enum Arrival {
        case start
        case queued
        /// The running task is blocked: send this one back.
        case giveBack
    }

    private let state = Mutex<(running: Bool, blockedWaits: Int, queued: [Assignment])>((false, 0, []))

    /// Records a newly assigned task and says what to do with it.
    func arrived(_ assignment: Assignment) -> Arrival {
        state.withLock { state in
            if !state.running {
                state.running = true
                return .start
            }
            if state.blockedWaits > 0 { return .giveBack }
            state.queued.append(assignment)
            return .queued
        }
    }

    /// The running task finished: the next one to start, if any.
    func finished() -> Assignment? {
        state.withLock { state in
            guard !state.queued.isEmpty else {
                state.running = false
                return nil
            }
            return state.queued.removeFirst()
        }
    }

    /// The running task is about to wait: returns the queued tasks to give back.
    func blocking() -> [TaskID] {
        state.withLock { state in
            state.blockedWaits += 1
            defer { state.queued.removeAll() }
            return state.queued.map { $0.spec.taskID }
        }
    }

    /// The raylet asks for queued tasks back (another worker went idle): the ones among `taskIDs`
    /// not started yet.
    func giveBack(_ taskIDs: [TaskID]) -> [TaskID] {
        let wanted = Set(taskIDs)
        return state.withLock { state in
            let given = state.queued.filter { wanted.contains($0.spec.taskID) }.map { $0.spec.taskID }
            state.queued.removeAll { wanted.contains($0.spec.taskID) }
            return given
        }
    }

    func unblocked() {
        state.withLock { $0.blockedWaits = max(0, $0.blockedWaits - 1) }
    }
}
