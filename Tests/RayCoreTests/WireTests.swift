import Testing
@testable import RayCore

@Suite struct WireTests {
    static let spec = TaskSpec(
        taskID: TaskID(high: 9, low: 8), jobID: JobID(2), parentTaskID: TaskID(high: 1, low: 1), functionName: "4Tour4AddV",
        displayName: "Tour.Add", arguments: [.value([1, 2, 3]), .reference(ObjectID(task: TaskID(high: 5, low: 6), index: 1))],
        returnCount: 2, resources: Resources(cpus: 1, gpus: 1, custom: ["disk": 0.5]))

    static let record = ErrorRecord(kind: .taskFailed, jobID: JobID(2), taskID: TaskID(high: 1, low: 2), functionName: "Tour.Fail",
                                    workerPID: 1234, nodeID: NodeID(77), message: "boom")

    static let samples: [Message] = [
        .register(ClientRegistration(kind: .driver, pid: 42, jobID: JobID(1), executablePath: "/bin/app")),
        .registered(nodeID: NodeID(5), storeCapacity: 1 << 30, sessionDirectory: "/tmp/ray/s"),
        .submitTask(spec),
        .putObject(id: spec.returnIDs[0], payload: [0x52, 0x56, 0, 0, 0, 0, 0, 0, 1], contained: [spec.returnIDs[1]]),
        .createObject(request: 7, id: spec.returnIDs[0], size: 1 << 20),
        .createReply(request: 7, offset: 4096, error: nil),
        .createReply(request: 8, offset: 0, error: "full"),
        .sealObject(id: spec.returnIDs[0], contained: []),
        .getObjects(request: 9, ids: spec.returnIDs + spec.returnIDs),
        .objectsReply(request: 9, locations: [ObjectLocation(id: spec.returnIDs[0], offset: 64, size: 100)]),
        .waitObjects(request: 10, ids: spec.returnIDs, numReturns: 1, timeoutMilliseconds: -1),
        .waitReply(request: 10, ready: [spec.returnIDs[1]]),
        .releaseObjects(spec.returnIDs), .addReferences(spec.returnIDs), .removeReferences([]),
        .executeTask(spec, arguments: [ObjectLocation(id: spec.returnIDs[0], offset: 0, size: 1)], gpuIDs: [0, 3]),
        .taskDone(taskID: spec.taskID, results: [.inline(id: spec.returnIDs[0], payload: [1], contained: []), .stored(id: spec.returnIDs[1])],
                  error: record),
        .shutdown, .returnTasks([spec.taskID, TaskID(high: 5, low: 6)]),
        .putResult(id: spec.returnIDs[0], payload: [0x52, 0x56, 0, 0, 0, 0, 0, 0, 2], contained: []),
        .dropActorHolds(actorID: spec.taskID, ids: spec.returnIDs), .cancelRequest(request: 9), .registerJob(request: 1), .jobRegistered(request: 1, jobID: JobID(9)),
        .registerNode(NodeInfo(nodeID: NodeID(3), rayletAddress: "/tmp/r.sock", resources: Resources(cpus: 4), storeCapacity: 99,
                               sessionDirectory: "/tmp/s")),
        .reportError(record), .subscribeErrors(JobID(2)), .errorNotice(record), .getErrors(request: 3, jobID: JobID(2)),
        .errorsReply(request: 3, errors: [record]), .getNodes(request: 4), .nodesReply(request: 4, nodes: []),
        .peerHello(nodeID: NodeID(3)), .taskRejected(spec.taskID), .pullObject(spec.returnIDs[0]),
        .forwardTask(spec, executable: "/bin/app", hints: [ObjectHint(id: spec.returnIDs[0], node: NodeID(3), size: 9)], queueIfBusy: true),
        .objectChunk(id: spec.returnIDs[0], totalSize: 3, offset: 1, contained: [], bytes: [7, 8]),
        .objectUnavailable(id: spec.returnIDs[0], reason: "lost"), .subscribeNodes, .locateObject(spec.returnIDs[0]),
        .objectLocated(id: spec.returnIDs[0], size: 7),
        .heartbeat(nodeID: NodeID(3), available: Resources(cpus: 1), queuedTasks: 2),
        .nodeResources(nodeID: NodeID(3), available: Resources(), queuedTasks: 0), .nodeDied(nodeID: NodeID(3), reason: "silent"),
        .registerActor(actorID: spec.taskID, nodeID: NodeID(3), address: "10.0.0.3:1"), .getActor(request: 2, actorID: spec.taskID),
        .actorReply(request: 2, nodeID: nil, address: ""),
    ]

    @Test(arguments: samples)
    func everyMessageRoundTrips(_ message: Message) throws {
        let frame = message.frame
        let length = frame.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self))) }
        #expect(length == frame.count - 4)
        let decoded = try frame.withUnsafeBytes { try Message.read(UnsafeRawBufferPointer(rebasing: $0[4...])) }
        #expect(decoded == message)
    }

    @Test(arguments: samples)
    func truncatedFramesThrowInsteadOfCrashing(_ message: Message) {
        let body = Array(message.frame.dropFirst(4))
        for cut in 0..<body.count {
            let prefix = Array(body[0..<cut])
            #expect(throws: WireError.self) { try prefix.withUnsafeBytes { try Message.read($0) } }
        }
    }

    @Test func trailingBytesAndUnknownTagsAreRejected() {
        var body = Array(Message.shutdown.frame.dropFirst(4))
        body.append(0)
        #expect(throws: WireError.self) { try body.withUnsafeBytes { try Message.read($0) } }
        let unknown: [UInt8] = [250]
        #expect(throws: WireError.self) { try unknown.withUnsafeBytes { try Message.read($0) } }
    }

    @Test func randomBytesNeverCrashTheParser() {
        var generator = CodecRandom(seed: 0x5eed)
        for _ in 0..<20_000 {
            let count = Int.random(in: 0..<64, using: &generator)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if !bytes.isEmpty { bytes[0] = [1, 3, 4, 9, 15, 16, 45][Int.random(in: 0..<7, using: &generator)] }
            _ = try? bytes.withUnsafeBytes { try Message.read($0) }
        }
    }

    @Test func hugeArrayCountsAreRejectedBeforeAllocating() {
        var w = WireWriter()
        w.u8(12)  // releaseObjects
        w.u32(UInt32.max)
        #expect(throws: WireError.self) { try w.bytes.withUnsafeBytes { try Message.read($0) } }
    }

    /// The in-place view of a chunk reads what `Message.read` reads, and refuses what it refuses.
    @Test func anObjectChunkViewReadsWhatTheDecoderReads() throws {
        let id = ObjectID(task: TaskID(high: 3, low: 4), index: 2)
        let message = Message.objectChunk(id: id, totalSize: 10, offset: 6, contained: [id], bytes: [1, 2, 3, 4])
        let body = Array(message.frame.dropFirst(4))
        let view = try body.withUnsafeBytes { raw in
            let view = try ObjectChunkView(body: raw)
            return (view.id, view.totalSize, view.offset, view.contained, Array(view.bytes))
        }
        #expect(view.0 == id && view.1 == 10 && view.2 == 6 && view.3 == [id] && view.4 == [1, 2, 3, 4])
        let header = Message.objectChunkHeader(id: id, totalSize: 10, offset: 6, contained: [id], count: 4)
        #expect(header + [1, 2, 3, 4] == body, "a header written for sendmsg plus the payload is the same frame")
        let tooFar = Array(Message.objectChunk(id: id, totalSize: 9, offset: 6, contained: [], bytes: [1, 2, 3, 4]).frame.dropFirst(4))
        #expect(throws: WireError.self) { try tooFar.withUnsafeBytes { _ = try ObjectChunkView(body: $0) } }
        #expect(throws: WireError.self) { try tooFar.withUnsafeBytes { _ = try Message.read($0) } }
    }
}
