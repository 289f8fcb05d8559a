import RayCore
import Testing
@testable import Raylet

@Suite struct ActorDirectoryTests {
    static func creation(_ n: UInt64, job: JobID = JobID(1), detached: Bool = false) -> TaskSpec {
        TaskSpec(taskID: TaskID(high: 6, low: n), jobID: job, parentTaskID: TaskID(high: 0, low: 0), functionName: "A",
                 displayName: "A", arguments: [], returnCount: 1, resources: Resources(),
                 actor: ActorTaskInfo(kind: .creation, actorID: TaskID(high: 6, low: n), detached: detached))
    }

    @Test func droppedHoldsOnHandleObjectsAreReportedOnceWithTheirActor() {
        var directory = ActorDirectory()
        let spec = Self.creation(1)
        directory.add(creation: spec)
        let handle = ActorTaskInfo.handleObject(of: spec.taskID)
        directory.holdDropped(ObjectID(task: TaskID(high: 9, low: 9), index: 1))
        directory.holdDropped(handle)
        #expect(directory.takeReleased().map(\.actorID) == [spec.taskID])
        #expect(directory.takeReleased().isEmpty)
        #expect(directory[spec.taskID]?.creation == spec)
    }

    @Test func aJobsEndTakesItsActorsButNotDetachedOnesOrOtherJobs() {
        var directory = ActorDirectory()
        directory.add(creation: Self.creation(1))
        directory.add(creation: Self.creation(2, detached: true))
        directory.add(creation: Self.creation(3, job: JobID(2)))
        #expect(directory.ended(with: JobID(1)) == [TaskID(high: 6, low: 1)])
        #expect(Set(directory.ids).count == 3)
    }
}
