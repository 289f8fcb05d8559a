import RayCore
import Synchronization

/// The task on whose behalf code runs: the driver's root task, or a task a worker executes.
/// New task and put IDs derive from it and its counters, which makes IDs deterministic.
final class SubmissionContext: Sendable {
    @TaskLocal static var current: SubmissionContext?

    let taskID: TaskID
    /// GPUs the node assigned to the running task (empty in the driver).
    let gpuIDs: [Int]
    private let submitted = Atomic<UInt64>(0)
    private let puts = Atomic<UInt32>(0)

    init(taskID: TaskID, gpuIDs: [Int] = []) {
        self.taskID = taskID
        self.gpuIDs = gpuIDs
    }

    func nextTaskID() -> TaskID {
        taskID.child(submitted.wrappingAdd(1, ordering: .relaxed).newValue)
    }

    func nextPutID() -> ObjectID {
        ObjectID.put(by: taskID, counter: puts.wrappingAdd(1, ordering: .relaxed).newValue)
    }
}
