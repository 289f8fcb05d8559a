import RayCore
import Testing
@testable import Raylet

@Suite struct WorkerPoolTests {
    static let job = JobID(4)

    static func assignment(_ n: UInt64) -> WorkerPool.Assignment {
        (TaskSpec(taskID: TaskID(high: 2, low: n), jobID: job, parentTaskID: TaskID(high: 0, low: 0), functionName: "f",
                  displayName: "f", arguments: [], returnCount: 1, resources: Resources(cpus: 1)), [])
    }

    @Test func oneWorkerStartsPerWaitingTaskAndEachTokenRegistersOnce() throws {
        var pool = WorkerPool(maxWorkers: 8)
        pool.addJob(Self.job, executable: "/bin/app")
        let none = pool.startIfNeeded(for: Self.job, running: 0)
        #expect(none == nil)
        pool.await(Self.assignment(1))
        pool.await(Self.assignment(2))
        let starts = (0..<3).map { _ in pool.startIfNeeded(for: Self.job, running: 0) }
        let first = try #require(starts[0])
        #expect(first.executable == "/bin/app")
        #expect(starts[1] != nil && starts[2] == nil)
        let wrongJob = pool.register(token: first.token, job: JobID(5))
        let right = pool.register(token: first.token, job: Self.job)
        let again = pool.register(token: first.token, job: Self.job)
        #expect(!wrongJob && right && !again)
        #expect(!pool.isStarting(token: first.token))
    }

    @Test func theNodesWorkerLimitHolds() {
        var pool = WorkerPool(maxWorkers: 2)
        pool.addJob(Self.job, executable: "/bin/app")
        for n in 1...3 { pool.await(Self.assignment(UInt64(n))) }
        let starts = (0..<2).map { _ in pool.startIfNeeded(for: Self.job, running: 1) }
        #expect(starts[0] != nil && starts[1] == nil)
    }

    @Test func failedStartsRetryThenGiveUpWithTheWaitingTasks() throws {
        var pool = WorkerPool(maxWorkers: 8)
        pool.addJob(Self.job, executable: "/bin/app")
        pool.await(Self.assignment(1))
        for attempt in 1...WorkerPool.startAttempts {
            let start = pool.startIfNeeded(for: Self.job, running: 0)
            let token = try #require(start).token
            switch pool.failedToStart(token: token) {
            case .retry?: #expect(attempt < WorkerPool.startAttempts)
            case let .gaveUp(waiting)?: #expect(attempt == WorkerPool.startAttempts && waiting.count == 1)
            case nil: Issue.record("an issued token was not starting")
            }
        }
        let unknown = pool.failedToStart(token: 42)
        #expect(unknown == nil)
    }

    @Test func idleWorkersExpireAndAnEndedJobGivesBackWhatItHad() {
        var pool = WorkerPool(maxWorkers: 8)
        pool.addJob(Self.job, executable: "/bin/app")
        pool.addIdle(10, of: Self.job)
        pool.addIdle(11, of: Self.job)
        let expired = pool.expireIdle(now: 100, timeout: 10, idleSince: { $0 == 10 ? 85 : 95 })
        #expect(expired == [10])
        pool.await(Self.assignment(1))
        let (awaiting, idle) = pool.endJob(Self.job)
        #expect(awaiting.count == 1 && idle == [11])
        let taken = pool.takeIdle(of: Self.job)
        #expect(taken == nil)
    }
}

extension WorkerPool.StartFailure: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case let (.retry(a), .retry(b)): a == b
        case let (.gaveUp(a), .gaveUp(b)): a.map(\.spec) == b.map(\.spec)
        default: false
        }
    }
}
