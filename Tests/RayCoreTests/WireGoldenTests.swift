import Testing
@testable import RayCore

/// The exact bytes of one frame of every message: an accidental change to the wire format (a
/// field moved, widened or renumbered) fails here, not between two builds on a cluster. A
/// deliberate change updates these bytes and `ClientRegistration.protocolVersion`.
///
/// The IDs and numbers are chosen so their bytes are easy to spot in the hex: task IDs read
/// `18171615 14131211 28272625 24232221` (little-endian halves), object indices `01000000`.
@Suite struct WireGoldenTests {
    struct Golden: Sendable, CustomTestStringConvertible {
        var message: Message
        /// The whole frame as lower-case hex: the length prefix, the tag, then the fields
        /// (whitespace is for the reader and ignored).
        var hex: String
        var testDescription: String { "\(message.tag.rawValue) \(String(describing: message).prefix { $0 != "(" })" }
    }

    static let task = TaskID(high: 0x1112_1314_1516_1718, low: 0x2122_2324_2526_2728)
    static let hash = ContentHash(bytes: Array(0xa0...0xbf))!
    static let parent = TaskID(high: 0x3132_3334_3536_3738, low: 0x4142_4344_4546_4748)
    static let object = ObjectID(task: task, index: 1)
    static let putObject = ObjectID(task: parent, index: 0x8000_0002)
    static let spec = TaskSpec(
        taskID: task, jobID: JobID(0x0A0B), parentTaskID: parent, functionName: "fn", displayName: "Fn",
        arguments: [.value([0xAA, 0xBB]), .reference(putObject)], returnCount: 2,
        resources: Resources(cpus: 1, custom: ["x": 0.5]))
    static let actorSpec = TaskSpec(
        taskID: task, jobID: JobID(0x0A0B), parentTaskID: parent, functionName: "A", displayName: "A",
        arguments: [], returnCount: 1, resources: Resources(),
        actor: ActorTaskInfo(kind: .creation, actorID: task, genericSubstitutions: ["Si"], maxConcurrency: 3, detached: true))
    static let record = ErrorRecord(kind: .taskFailed, jobID: JobID(0x0A0B), taskID: task, functionName: "Fn", workerPID: 0x1234,
                                    nodeID: NodeID(0x77), message: "boom")
    static let node = NodeInfo(nodeID: NodeID(0x77), rayletAddress: "/r", resources: Resources(gpus: 2), storeCapacity: 1 << 20,
                               sessionDirectory: "/s", nodeIP: "10.0.0.2", peerAddress: "10.0.0.2:7")
    static let status = NodeStatus(info: node, isAlive: false, available: Resources(gpus: 1), queuedTasks: 3, deathReason: "gone")

    static let goldens: [Golden] = [
        Golden(message: .register(ClientRegistration(kind: .worker, pid: 0x1234, jobID: JobID(0x0A0B), workerToken: 0x99, executablePath: "/a")),
               hex: "1c000000 01 0200000001341200000b0a00009900000000000000020000002f61"),
        Golden(message: .registered(nodeID: NodeID(0x77), storeCapacity: 1 << 30, sessionDirectory: "/s"),
               hex: "17000000 02 77000000000000000000004000000000020000002f73"),
        Golden(message: .submitTask(spec),
               hex: """
                   76000000 03 181716151413121128272625242322210b0a00003837363534333231484746454443424102000000666e0200
                   0000466e020000000002000000aabb013837363534333231484746454443424102000080020000000200000003000000
                   435055000000000000f03f0100000078000000000000e03f00
                   """),
        Golden(message: .putObject(id: object, payload: [0x52, 0x56, 0, 0, 0, 0, 0, 0, 0xC0], contained: [putObject]),
               hex: """
                   3a000000 04 1817161514131211282726252423222101000000090000005256000000000000c00100000038373635343332
                   31484746454443424102000080
                   """),
        Golden(message: .createObject(request: 5, id: object, size: 1 << 20),
               hex: "25000000 05 050000000000000018171615141312112827262524232221010000000000100000000000"),
        Golden(message: .createReply(request: 5, offset: 4096, error: "full"),
               hex: "1a000000 06 05000000000000000010000000000000010400000066756c6c"),
        Golden(message: .sealObject(id: object, contained: [putObject]),
               hex: "2d000000 07 1817161514131211282726252423222101000000010000003837363534333231484746454443424102000080"),
        Golden(message: .getObjects(request: 8, ids: [object, putObject]),
               hex: """
                   35000000 08 0800000000000000020000001817161514131211282726252423222101000000383736353433323148474645
                   4443424102000080
                   """),
        Golden(message: .objectsReply(request: 8, locations: [ObjectLocation(id: object, offset: 64, size: 100)]),
               hex: """
                   32000000 09 0800000000000000010000001817161514131211282726252423222101000000400000000000000064000000
                   00000000 00
                   """),
        Golden(message: .waitObjects(request: 10, ids: [object, putObject], numReturns: 1, timeoutMilliseconds: -1),
               hex: """
                   41000000 0a 0a00000000000000020000001817161514131211282726252423222101000000383736353433323148474645
                   444342410200008001000000ffffffffffffffff
                   """),
        Golden(message: .waitReply(request: 10, ready: [object]),
               hex: "21000000 0b 0a00000000000000010000001817161514131211282726252423222101000000"),
        Golden(message: .releaseObjects([object]),
               hex: "19000000 0c 010000001817161514131211282726252423222101000000"),
        Golden(message: .addReferences([object]),
               hex: "19000000 0d 010000001817161514131211282726252423222101000000"),
        Golden(message: .removeReferences([]),
               hex: "05000000 0e 00000000"),
        Golden(message: .executeTask(actorSpec, arguments: [ObjectLocation(id: putObject, offset: 0, size: 9)], gpuIDs: [0, 3]),
               hex: """
                   91000000 0f 181716151413121128272625242322210b0a0000383736353433323148474645444342410100000041010000
                   004100000000010000000000000001011817161514131211282726252423222101000000020000005369030000000101
                   000000383736353433323148474645444342410200008000000000000000000900000000000000 00 020000000000000003
                   000000
                   """),
        Golden(message: .taskDone(taskID: task, results: [.inline(id: object, payload: [1], contained: []),
                                                          .stored(id: ObjectID(task: task, index: 2))], error: record),
               hex: """
                   78000000 10 1817161514131211282726252423222102000000001817161514131211282726252423222101000000010000
                   00010000000001181716151413121128272625242322210200000001010b0a0000181716151413121128272625242322
                   2102000000466e34120000770000000000000004000000626f6f6d
                   """),
        Golden(message: .shutdown,
               hex: "01000000 11 "),
        Golden(message: .killActor(task),
               hex: "11000000 12 18171615141312112827262524232221"),
        Golden(message: .returnTasks([task, parent]),
               hex: "25000000 13 020000001817161514131211282726252423222138373635343332314847464544434241"),
        Golden(message: .putResult(id: object, payload: [0x52, 0x56, 0, 0, 0, 0, 0, 0, 0xC3], contained: []),
               hex: "26000000 14 1817161514131211282726252423222101000000090000005256000000000000c300000000"),
        Golden(message: .dropActorHolds(actorID: parent, ids: [object]),
               hex: "29000000 15 38373635343332314847464544434241010000001817161514131211282726252423222101000000"),
        Golden(message: .cancelRequest(request: 9),
               hex: "09000000 16 0900000000000000"),
        Golden(message: .registerJob(request: 1),
               hex: "09000000 28 0100000000000000"),
        Golden(message: .jobRegistered(request: 1, jobID: JobID(0x0A0B)),
               hex: "0d000000 29 01000000000000000b0a0000"),
        Golden(message: .registerNode(node),
               hex: """
                   4a000000 2a 7700000000000000020000002f72010000000300000047505500000000000000400000100000000000020000002f7308
                   00000031302e302e302e320a00000031302e302e302e323a37
                   """),
        Golden(message: .reportError(record),
               hex: """
                   30000000 2b 010b0a00001817161514131211282726252423222102000000466e3412000077000000000000000400000062
                   6f6f6d
                   """),
        Golden(message: .subscribeErrors(JobID(0x0A0B)),
               hex: "05000000 2c 0b0a0000"),
        Golden(message: .errorNotice(ErrorRecord(kind: .workerDied, jobID: JobID(1), taskID: parent, functionName: "", workerPID: -1,
                                                 nodeID: NodeID(2), message: "")),
               hex: "2a000000 2d 02010000003837363534333231484746454443424100000000ffffffff020000000000000000000000"),
        Golden(message: .getErrors(request: 3, jobID: JobID(0x0A0B)),
               hex: "0d000000 2e 03000000000000000b0a0000"),
        Golden(message: .errorsReply(request: 3, errors: [record]),
               hex: """
                   3c000000 2f 030000000000000001000000010b0a00001817161514131211282726252423222102000000466e3412000077
                   0000000000000004000000626f6f6d
                   """),
        Golden(message: .getNodes(request: 4),
               hex: "09000000 30 0400000000000000"),
        Golden(message: .nodesReply(request: 4, nodes: [status]),
               hex: """
                   76000000 31 0400000000000000010000007700000000000000020000002f7201000000030000004750550000000000000040000010
                   0000000000020000002f730800000031302e302e302e320a00000031302e302e302e323a370001000000030000004750
                   55000000000000f03f0300000004000000676f6e65
                   """),
        Golden(message: .registerActorName(request: 6, name: "ps", actorID: task),
               hex: "1f000000 32 060000000000000002000000707318171615141312112827262524232221"),
        Golden(message: .actorNameReply(request: 6, error: nil),
               hex: "0a000000 33 060000000000000000"),
        Golden(message: .lookupActorName(request: 7, name: "ps"),
               hex: "0f000000 34 0700000000000000020000007073"),
        Golden(message: .actorLookupReply(request: 7, actorID: task),
               hex: "1a000000 35 07000000000000000118171615141312112827262524232221"),
        Golden(message: .peerHello(nodeID: NodeID(0x77)), hex: "09000000 17 7700000000000000"),
        Golden(message: .forwardTask(spec, executable: "/a", hints: [ObjectHint(id: putObject, node: NodeID(0x77), size: 4096)], queueIfBusy: true),
               hex: """
                   a5000000 18 181716151413121128272625242322210b0a00003837363534333231484746454443424102000000666e02000000466e
                   020000000002000000aabb01383736353433323148474645444342410200008002000000020000000300000043505500
                   0000000000f03f0100000078000000000000e03f00020000002f61010000003837363534333231484746454443424102
                   0000807700000000000000001000000000000001
                   """),
        Golden(message: .taskRejected(task), hex: "11000000 19 18171615141312112827262524232221"),
        Golden(message: .pullObject(object), hex: "15000000 1a 1817161514131211282726252423222101000000"),
        Golden(message: .objectChunk(id: object, totalSize: 10, offset: 8, contained: [putObject], bytes: [0xAA, 0xBB]), hex: """
                   43000000 1b 18171615141312112827262524232221010000000a000000000000000800000000000000010000003837363534333231
                   48474645444342410200008002000000aabb
                   """),
        Golden(message: .objectUnavailable(id: object, reason: "gone"), hex: "1d000000 1c 181716151413121128272625242322210100000004000000676f6e65"),
        Golden(message: .locateObject(object), hex: "15000000 1d 1817161514131211282726252423222101000000"),
        Golden(message: .objectLocated(id: object, size: 4096), hex: "1d000000 1e 18171615141312112827262524232221010000000010000000000000"),
        Golden(message: .heartbeat(nodeID: NodeID(0x77), available: Resources(cpus: 2), queuedTasks: 5), hex: "20000000 36 77000000000000000100000003000000435055000000000000004005000000"),
        Golden(message: .subscribeNodes, hex: "01000000 37 "),
        Golden(message: .nodeAdded(node), hex: """
                   4a000000 38 7700000000000000020000002f72010000000300000047505500000000000000400000100000000000020000002f7308
                   00000031302e302e302e320a00000031302e302e302e323a37
                   """),
        Golden(message: .nodeResources(nodeID: NodeID(0x77), available: Resources(cpus: 2), queuedTasks: 5), hex: "20000000 39 77000000000000000100000003000000435055000000000000004005000000"),
        Golden(message: .registerActor(actorID: task, nodeID: NodeID(0x77), address: "10.0.0.2:7"), hex: "27000000 46 1817161514131211282726252423222177000000000000000a00000031302e302e302e323a37"),
        Golden(message: .getActor(request: 9, actorID: task), hex: "19000000 47 090000000000000018171615141312112827262524232221"),
        Golden(message: .actorReply(request: 9, nodeID: NodeID(0x77), address: "10.0.0.2:7"), hex: "20000000 48 09000000000000000177000000000000000a00000031302e302e302e323a37"),
        Golden(message: .putKeyValue(request: 3, key: "k", value: [0xAA]), hex: "14000000 49 0300000000000000010000006b0101000000aa"),
        Golden(message: .getKeyValue(request: 3, key: "k"), hex: "0e000000 4a 0300000000000000010000006b"),
        Golden(message: .keyValueReply(request: 3, value: nil, error: "full"), hex: "13000000 4b 030000000000000000010400000066756c6c"),
        Golden(message: .nodeDied(nodeID: NodeID(0x77), reason: "gone"), hex: "11000000 3a 770000000000000004000000676f6e65"),
        // Shipped programs; the hash reads a0 a1 … bf.
        Golden(message: .queryExecutable(request: 9, hash: hash), hex: "29000000 3b 0900000000000000a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"),
        Golden(message: .executableInfo(request: 9, hash: hash, size: 5), hex: "32000000 3c 090000000000000001a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf0500000000000000"),
        Golden(message: .uploadExecutable(request: 9, hash: hash, totalSize: 5, offset: 2, bytes: [1, 2, 3]), hex: "40000000 3d 0900000000000000a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf0500000000000000020000000000000003000000010203"),
        Golden(message: .executableReply(request: 9, error: "bad"), hex: "11000000 3e 09000000000000000103000000626164"),
        Golden(message: .setJobExecutable(request: 9, jobID: JobID(0x2a), hash: hash), hex: "2d000000 3f 09000000000000002a000000a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"),
        Golden(message: .getJobExecutable(request: 9, jobID: JobID(0x2a)), hex: "0d000000 40 09000000000000002a000000"),
        Golden(message: .readExecutable(request: 9, hash: hash, offset: 2, count: 3), hex: "39000000 41 0900000000000000a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf02000000000000000300000000000000"),
        Golden(message: .executableChunk(request: 9, totalSize: 5, offset: 2, bytes: [1, 2, 3]), hex: "20000000 42 09000000000000000500000000000000020000000000000003000000010203"),
    ]

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        var out = ""
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return out
    }

    /// The bytes of a golden's hex, or nil when it is not whole bytes of hex digits.
    static func bytes(hex: String) -> [UInt8]? {
        let digits = hex.filter { !$0.isWhitespace }.map { $0.hexDigitValue }
        guard digits.count % 2 == 0, !digits.contains(nil) else { return nil }
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(digits[$0]! << 4 | digits[$0 + 1]!) }
    }

    @Test(arguments: goldens)
    func encoderWritesTheGoldenBytes(_ golden: Golden) {
        #expect(Self.hex(golden.message.frame) == golden.hex.filter { !$0.isWhitespace })
    }

    @Test(arguments: goldens)
    func decoderReadsTheGoldenBytes(_ golden: Golden) throws {
        let frame = try #require(Self.bytes(hex: golden.hex))
        try #require(frame.count >= 4)
        #expect(Int(frame[0]) | Int(frame[1]) << 8 | Int(frame[2]) << 16 | Int(frame[3]) << 24 == frame.count - 4)
        let decoded = try frame.withUnsafeBytes { try Message.read(UnsafeRawBufferPointer(rebasing: $0[4...])) }
        #expect(decoded == golden.message)
    }

    @Test func everyMessageTypeHasAGolden() {
        #expect(Set(Self.goldens.map(\.message.tag)) == Set(MessageTag.allCases))
        #expect(Self.goldens.count == MessageTag.allCases.count)
    }
}
