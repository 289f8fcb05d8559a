import RayCore
import Testing
@testable import Raylet

@Suite struct TaskSchedulerTests {
    static func spec(_ n: UInt64, resources: Resources = Resources(cpus: 1), arguments: [TaskArgument] = []) -> TaskSpec {
        TaskSpec(taskID: TaskID(high: 0, low: n), jobID: JobID(1), parentTaskID: TaskID(high: 0, low: 0), functionName: "f",
                 displayName: "f\(n)", arguments: arguments, returnCount: 1, resources: resources)
    }

    @Test func readyTasksRunFirstInFirstOutWithinResources() {
        var scheduler = TaskScheduler(total: Resources(cpus: 2))
        for n in UInt64(1)...4 { scheduler.submit(Self.spec(n), missing: []) }
        #expect(scheduler.nextRunnable()?.spec.taskID.low == 1)
        #expect(scheduler.nextRunnable()?.spec.taskID.low == 2)
        #expect(scheduler.nextRunnable() == nil)
        scheduler.release(Resources(cpus: 1), gpuIDs: [])
        #expect(scheduler.nextRunnable()?.spec.taskID.low == 3)
    }

    @Test func tasksWaitForTheirArguments() {
        var scheduler = TaskScheduler(total: Resources(cpus: 2))
        let dependency = ObjectID(task: TaskID(high: 1, low: 1), index: 1)
        scheduler.submit(Self.spec(1, arguments: [.reference(dependency)]), missing: [dependency])
        scheduler.submit(Self.spec(2), missing: [])
        #expect(scheduler.nextRunnable()?.spec.taskID.low == 2)
        #expect(scheduler.nextRunnable() == nil)
        scheduler.objectAvailable(dependency)
        #expect(scheduler.nextRunnable()?.spec.taskID.low == 1)
    }

    @Test func aBlockedShapeDoesNotBlockOthers() {
        var scheduler = TaskScheduler(total: Resources(cpus: 2, gpus: 1))
        scheduler.submit(Self.spec(1, resources: Resources(cpus: 1, gpus: 1)), missing: [])
        scheduler.submit(Self.spec(2, resources: Resources(cpus: 1, gpus: 1)), missing: [])
        scheduler.submit(Self.spec(3), missing: [])
        let first = scheduler.nextRunnable()
        #expect(first?.spec.taskID.low == 1)
        #expect(first?.gpuIDs == [0])
        #expect(scheduler.nextRunnable()?.spec.taskID.low == 3)
        #expect(scheduler.nextRunnable() == nil)
        scheduler.release(Resources(cpus: 1, gpus: 1), gpuIDs: [0])
        let third = scheduler.nextRunnable()
        #expect(third?.spec.taskID.low == 2)
        #expect(third?.gpuIDs == [0])
    }

    @Test func gpuIDsAreNeverShared() {
        var scheduler = TaskScheduler(total: Resources(cpus: 4, gpus: 3))
        for n in UInt64(1)...3 { scheduler.submit(Self.spec(n, resources: Resources(gpus: 1)), missing: []) }
        let ids = (0..<3).compactMap { _ in scheduler.nextRunnable()?.gpuIDs }.flatMap { $0 }
        #expect(ids.sorted() == [0, 1, 2])
    }

    @Test func infeasibleRequestsNameWhatIsMissing() throws {
        let scheduler = TaskScheduler(total: Resources(cpus: 2, gpus: 1))
        #expect(scheduler.infeasibility(of: Resources(cpus: 1)) == nil)
        let reason = try #require(scheduler.infeasibility(of: Resources(gpus: 2)))
        #expect(reason.contains("GPU: needs 2, the cluster has 1"))
        #expect(scheduler.infeasibility(of: Resources(gpus: 0.5)) != nil)
    }

    @Test func lentCPUsLetNestedTasksRun() {
        var scheduler = TaskScheduler(total: Resources(cpus: 1))
        scheduler.submit(Self.spec(1), missing: [])
        scheduler.submit(Self.spec(2), missing: [])
        #expect(scheduler.nextRunnable()?.spec.taskID.low == 1)
        #expect(scheduler.nextRunnable() == nil)
        scheduler.lendCPUs(1)
        #expect(scheduler.nextRunnable()?.spec.taskID.low == 2)
        scheduler.reclaimCPUs(1)
        #expect(scheduler.available.cpus == -1)
    }

    @Test func removingAJobDropsItsQueuedTasks() {
        var scheduler = TaskScheduler(total: Resources(cpus: 1))
        let dependency = ObjectID(task: TaskID(high: 1, low: 1), index: 1)
        scheduler.submit(Self.spec(1), missing: [])
        scheduler.submit(Self.spec(2), missing: [dependency])
        #expect(scheduler.removeTasks(of: JobID(1)).count == 2)
        #expect(scheduler.nextRunnable() == nil)
        #expect(scheduler.waitingCount == 0)
    }
}
