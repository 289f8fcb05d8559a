import RayCore
import Testing
@testable import RayGCS

@Suite struct GCSTablesTests {
    let driver = GCSClientID(1), otherDriver = GCSClientID(2), worker = GCSClientID(3), raylet = GCSClientID(4)

    static func failure(_ n: Int, job: JobID) -> ErrorRecord {
        ErrorRecord(kind: .taskFailed, jobID: job, taskID: TaskID(high: 1, low: UInt64(n)), functionName: "f\(n)",
                    workerPID: 42, nodeID: NodeID(9), message: "failure \(n)")
    }

    /// Registers a job from `client` and returns its ID.
    static func registerJob(_ tables: inout GCSTables, from client: GCSClientID) throws -> JobID {
        let answer = tables.handle(.registerJob(request: 5), from: client, now: 0)
        let deliveries = try #require(answer)
        let delivery = try #require(deliveries.first)
        #expect(deliveries.count == 1 && delivery.client == client)
        guard case let .jobRegistered(5, job) = delivery.message else {
            Issue.record("registerJob answered \(delivery.message)")
            return JobID(0)
        }
        return job
    }

    /// The answer to `getErrors` for `job`, as `client` would receive it.
    static func errors(of job: JobID, in tables: inout GCSTables, from client: GCSClientID) throws -> [ErrorRecord] {
        let answer = tables.handle(.getErrors(request: 8, jobID: job), from: client, now: 0)
        let deliveries = try #require(answer)
        #expect(deliveries.map(\.client) == [client])
        guard case let .errorsReply(8, errors) = deliveries.first?.message else {
            Issue.record("getErrors answered \(deliveries)")
            return []
        }
        return errors
    }

    @Test func jobIDsCountUpFromOne() throws {
        var tables = GCSTables()
        #expect(try Self.registerJob(&tables, from: driver) == JobID(1))
        #expect(try Self.registerJob(&tables, from: otherDriver) == JobID(2))
        #expect(try Self.registerJob(&tables, from: driver) == JobID(3))
    }

    @Test func nodesAreListedAndReRegisteringReplaces() throws {
        var tables = GCSTables()
        let a = NodeInfo(nodeID: NodeID(1), rayletAddress: "/a", resources: Resources(cpus: 2), storeCapacity: 10, sessionDirectory: "/s")
        let b = NodeInfo(nodeID: NodeID(2), rayletAddress: "/b", resources: Resources(cpus: 4), storeCapacity: 20, sessionDirectory: "/s")
        var a2 = a
        a2.rayletAddress = "/a2"
        for node in [a, b, a2] { #expect(tables.handle(.registerNode(node), from: raylet, now: 0) == []) }
        let answer = tables.handle(.getNodes(request: 3), from: worker, now: 0)
        let deliveries = try #require(answer)
        #expect(deliveries.map(\.client) == [worker])
        guard case let .nodesReply(3, nodes) = deliveries.first?.message else {
            Issue.record("getNodes answered \(deliveries)")
            return
        }
        #expect(nodes.map(\.info) == [a2, b])
        #expect(nodes.allSatisfy { $0.isAlive })
    }

    @Test func errorsGoToTheSubscribersOfTheirJobOnly() throws {
        var tables = GCSTables()
        let job = try Self.registerJob(&tables, from: driver)
        let other = try Self.registerJob(&tables, from: otherDriver)
        #expect(tables.handle(.subscribeErrors(job), from: driver, now: 0) == [])
        #expect(tables.handle(.subscribeErrors(other), from: otherDriver, now: 0) == [])

        let first = Self.failure(1, job: job)
        #expect(tables.handle(.reportError(first), from: raylet, now: 0) == [.init(client: driver, message: .errorNotice(first))])
        let second = Self.failure(2, job: other)
        #expect(tables.handle(.reportError(second), from: worker, now: 0) == [.init(client: otherDriver, message: .errorNotice(second))])

        // A second subscriber of the same job hears of its errors too.
        #expect(tables.handle(.subscribeErrors(job), from: worker, now: 0) == [])
        let third = Self.failure(3, job: job)
        let answer = tables.handle(.reportError(third), from: raylet, now: 0)
        let notified = try #require(answer)
        #expect(notified.map(\.client).sorted() == [driver, worker])
        #expect(notified.allSatisfy { $0.message == .errorNotice(third) })

        // A closed client hears of nothing more.
        _ = tables.clientClosed(worker)
        let fourth = Self.failure(4, job: job)
        #expect(tables.handle(.reportError(fourth), from: raylet, now: 0) == [.init(client: driver, message: .errorNotice(fourth))])

        #expect(try Self.errors(of: job, in: &tables, from: worker) == [first, third, fourth])
        #expect(try Self.errors(of: other, in: &tables, from: driver) == [second])
    }

    @Test func namedActorsConflictReRegisterAndLookUp() throws {
        var tables = GCSTables()
        let actor = TaskID(high: 7, low: 1), rival = TaskID(high: 7, low: 2)
        func register(_ name: String, _ id: TaskID, from client: GCSClientID) -> String?? {
            guard case let .actorNameReply(4, error)? = tables.handle(.registerActorName(request: 4, name: name, actorID: id), from: client, now: 0)?.first?.message
            else { return nil }
            return .some(error)
        }
        func lookUp(_ name: String, from client: GCSClientID) -> TaskID?? {
            guard case let .actorLookupReply(6, id)? = tables.handle(.lookupActorName(request: 6, name: name), from: client, now: 0)?.first?.message
            else { return nil }
            return .some(id)
        }

        #expect(lookUp("counter", from: worker) == .some(nil))
        #expect(register("counter", actor, from: driver) == .some(nil))
        #expect(register("counter", actor, from: driver) == .some(nil), "the same actor may claim its name again")
        let conflict = register("counter", rival, from: otherDriver)
        #expect(conflict??.contains("an actor named \"counter\" already exists") == true)
        #expect(lookUp("counter", from: worker) == .some(actor))
        #expect(register("other", rival, from: otherDriver) == .some(nil))
        #expect(lookUp("other", from: driver) == .some(rival))
    }

    @Test func messagesForOtherServicesAreRefused() {
        var tables = GCSTables()
        #expect(tables.handle(.shutdown, from: driver, now: 0) == nil)
        #expect(tables.handle(.killActor(TaskID(high: 1, low: 1)), from: driver, now: 0) == nil)
    }
}

extension GCSTablesTests {
    @Test func eachJobKeepsItsLatestErrorsAndCountsTheDropped() throws {
        var tables = GCSTables(maxErrorsPerJob: 3)
        let job = try Self.registerJob(&tables, from: driver)
        let other = try Self.registerJob(&tables, from: otherDriver)
        #expect(tables.handle(.subscribeErrors(job), from: driver, now: 0) == [])
        for n in 0..<5 {
            let record = Self.failure(n, job: job)
            // Every error is still pushed to the job's driver as it happens.
            #expect(tables.handle(.reportError(record), from: raylet, now: 0) == [.init(client: driver, message: .errorNotice(record))])
        }
        for n in 0..<2 { _ = tables.handle(.reportError(Self.failure(10 + n, job: other)), from: worker, now: 0) }

        let kept = try Self.errors(of: job, in: &tables, from: driver)
        #expect(kept == [tables.droppedNotice(job: job, dropped: 2)] + (2..<5).map { Self.failure($0, job: job) })
        #expect(kept.first?.kind == .system)
        #expect(kept.first?.jobID == job)
        #expect(kept.first?.message == "2 older errors of job \(job) were dropped (the control store keeps the latest 3 per job)")
        // The other job's errors are within the bound: no notice, nothing dropped.
        #expect(try Self.errors(of: other, in: &tables, from: otherDriver) == [Self.failure(10, job: other), Self.failure(11, job: other)])

        // The count goes on as more are dropped.
        _ = tables.handle(.reportError(Self.failure(5, job: job)), from: raylet, now: 0)
        let later = try Self.errors(of: job, in: &tables, from: driver)
        #expect(later.first?.message.hasPrefix("3 older errors of job \(job) were dropped") == true)
        #expect(Array(later.dropFirst()) == (3..<6).map { Self.failure($0, job: job) })
    }

    @Test func oneDroppedErrorIsSaidInTheSingular() throws {
        var tables = GCSTables(maxErrorsPerJob: 1)
        let job = try Self.registerJob(&tables, from: driver)
        for n in 0..<2 { _ = tables.handle(.reportError(Self.failure(n, job: job)), from: raylet, now: 0) }
        let kept = try Self.errors(of: job, in: &tables, from: driver)
        #expect(kept.first?.message == "1 older error of job \(job) was dropped (the control store keeps the latest 1 per job)")
        #expect(kept.dropFirst().first == Self.failure(1, job: job))
    }

    @Test func theBoundIsTenThousandUnlessToldOtherwise() {
        #expect(GCSTables().maxErrorsPerJob == 10_000)
        #expect(GCSTables.defaultMaxErrorsPerJob == 10_000)
    }

    /// The ring against a plain list: after any number of appends it holds the latest `capacity`
    /// records in order and counts the rest.
    @Test(arguments: 1...5)
    func jobErrorLogMatchesAListKeepingTheLatest(capacity: Int) {
        var log = JobErrorLog(capacity: capacity)
        var all: [ErrorRecord] = []
        for n in 0..<(3 * capacity + 2) {
            #expect(log.records == Array(all.suffix(capacity)))
            #expect(log.dropped == max(0, all.count - capacity))
            #expect(log.count == min(all.count, capacity))
            let record = Self.failure(n, job: JobID(1))
            log.append(record)
            all.append(record)
        }
    }

    @Test func aJobEndsWhenTheClientThatRegisteredItCloses() throws {
        var tables = GCSTables(maxErrorsPerJob: 2)
        let job = try Self.registerJob(&tables, from: driver)
        let other = try Self.registerJob(&tables, from: otherDriver)
        #expect(tables.handle(.subscribeErrors(job), from: driver, now: 0) == [])
        // A worker of the job reads the job's errors and subscribes too (drivers only subscribe today).
        #expect(tables.handle(.subscribeErrors(job), from: worker, now: 0) == [])
        for n in 0..<3 { _ = tables.handle(.reportError(Self.failure(n, job: job)), from: raylet, now: 0) }
        _ = tables.handle(.reportError(Self.failure(9, job: other)), from: raylet, now: 0)

        // A worker's connection closing ends nothing.
        _ = tables.clientClosed(worker)
        #expect(tables.isLive(job))
        #expect(try Self.errors(of: job, in: &tables, from: driver).count == 3)

        // The driver's does: the job's errors, drop count and subscribers go.
        _ = tables.clientClosed(driver)
        #expect(!tables.isLive(job))
        #expect(try Self.errors(of: job, in: &tables, from: otherDriver) == [])
        // Errors reported after the job ended (a task finishing late, a detached actor) are not kept.
        #expect(tables.handle(.reportError(Self.failure(3, job: job)), from: raylet, now: 0) == [])
        #expect(try Self.errors(of: job, in: &tables, from: otherDriver) == [])
        #expect(tables.handle(.subscribeErrors(job), from: worker, now: 0) == [])
        #expect(tables.handle(.reportError(Self.failure(4, job: job)), from: raylet, now: 0) == [])

        // Other jobs are untouched.
        #expect(tables.isLive(other))
        #expect(try Self.errors(of: other, in: &tables, from: otherDriver) == [Self.failure(9, job: other)])
        // Job IDs are never reused.
        #expect(try Self.registerJob(&tables, from: driver) == JobID(3))
    }

    @Test func aClientThatRegisteredSeveralJobsEndsThemAll() throws {
        var tables = GCSTables()
        let first = try Self.registerJob(&tables, from: driver)
        let second = try Self.registerJob(&tables, from: driver)
        _ = tables.clientClosed(driver)
        #expect(!tables.isLive(first) && !tables.isLive(second))
    }

    @Test func errorsOfJobsNeverRegisteredAreNotKept() throws {
        var tables = GCSTables()
        let stranger = JobID(77)
        #expect(tables.handle(.subscribeErrors(stranger), from: worker, now: 0) == [])
        #expect(tables.handle(.reportError(Self.failure(1, job: stranger)), from: raylet, now: 0) == [])
        #expect(try Self.errors(of: stranger, in: &tables, from: worker) == [])
    }

    @Test func actorNamesOutliveTheJobThatClaimedThem() throws {
        var tables = GCSTables()
        let job = try Self.registerJob(&tables, from: driver)
        #expect(tables.isLive(job))
        let detached = TaskID(high: 8, low: 1)
        _ = tables.handle(.registerActorName(request: 1, name: "keeper", actorID: detached), from: driver, now: 0)
        _ = tables.clientClosed(driver)
        let lookup = tables.handle(.lookupActorName(request: 2, name: "keeper"), from: worker, now: 0)
        #expect(lookup == [.init(client: worker, message: .actorLookupReply(request: 2, actorID: detached))])
        let claim = tables.handle(.registerActorName(request: 3, name: "keeper", actorID: TaskID(high: 8, low: 2)), from: otherDriver, now: 0)
        #expect(claim == [.init(client: otherDriver, message: .actorNameReply(request: 3, error: "an actor named \"keeper\" already exists"))])
    }
}
