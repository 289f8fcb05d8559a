@testable import Ray
import RayCore
import Testing

@Suite struct WorkerTaskQueueTests {
    private func assignment(_ n: UInt64) -> WorkerTaskQueue.Assignment {
        let spec = TaskSpec(taskID: TaskID(high: 7, low: n), jobID: JobID(1), parentTaskID: TaskID(high: 7, low: 0), functionName: "f",
                            displayName: "f", arguments: [], returnCount: 1, resources: Resources(cpus: 1))
        return WorkerTaskQueue.Assignment(spec: spec, arguments: [], gpuIDs: [])
    }

    @Test func tasksRunOneAtATimeInArrivalOrder() {
        let queue = WorkerTaskQueue()
        #expect(queue.arrived(assignment(1)) == .start)
        #expect(queue.arrived(assignment(2)) == .queued)
        #expect(queue.arrived(assignment(3)) == .queued)
        #expect(queue.finished()?.spec.taskID.low == 2)
        #expect(queue.finished()?.spec.taskID.low == 3)
        #expect(queue.finished() == nil)
        #expect(queue.arrived(assignment(4)) == .start)
    }

    @Test func aBlockedTaskHandsItsQueueBackAndRefusesNewOnes() {
        let queue = WorkerTaskQueue()
        #expect(queue.arrived(assignment(1)) == .start)
        #expect(queue.arrived(assignment(2)) == .queued)
        #expect(queue.blocking().map(\.low) == [2])
        #expect(queue.arrived(assignment(3)) == .giveBack)
        queue.unblocked()
        #expect(queue.arrived(assignment(4)) == .queued)
        #expect(queue.finished()?.spec.taskID.low == 4)
    }

    @Test func onlyUnstartedTasksAreGivenBackOnRequest() {
        let queue = WorkerTaskQueue()
        #expect(queue.arrived(assignment(1)) == .start)
        #expect(queue.arrived(assignment(2)) == .queued)
        #expect(queue.giveBack([TaskID(high: 7, low: 1), TaskID(high: 7, low: 2)]).map(\.low) == [2])
        #expect(queue.finished() == nil)
    }
}
