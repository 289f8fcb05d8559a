import Glibc
import RayCore

/// Valid inputs to start each fuzzer from, made with the current encoders so they follow the
/// format as it is today. Every harness writes its seeds when run with `RAY_FUZZ_SEEDS=<dir>`
/// (see `writeSeedsIfAsked`), which `Scripts/fuzz.sh` does before fuzzing.
enum FuzzSeeds {
    static let task = TaskID(high: 0x1112_1314_1516_1718, low: 0x2122_2324_2526_2728)
    static let parent = TaskID(high: 0x3132_3334_3536_3738, low: 0x4142_4344_4546_4748)
    static let object = ObjectID(task: task, index: 1)
    static let putObject = ObjectID(task: parent, index: 0x8000_0002)

    static let spec = TaskSpec(
        taskID: task, jobID: JobID(2), parentTaskID: parent, functionName: "4Tour4AddV", displayName: "Tour.Add",
        arguments: [.value([1, 2, 3]), .reference(putObject)], returnCount: 2,
        resources: Resources(cpus: 1, gpus: 1, custom: ["disk": 0.5]))
    static let actorSpec = TaskSpec(
        taskID: task, jobID: JobID(2), parentTaskID: parent, functionName: "A", displayName: "A", arguments: [],
        returnCount: 1, resources: Resources(),
        actor: ActorTaskInfo(kind: .creation, actorID: task, genericSubstitutions: ["Si", "SS"], maxConcurrency: 3, detached: true))
    static let record = ErrorRecord(kind: .taskFailed, jobID: JobID(2), taskID: task, functionName: "Tour.Fail", workerPID: 1234,
                                    nodeID: NodeID(77), message: "boom")
    static let node = NodeInfo(nodeID: NodeID(3), rayletAddress: "/tmp/r.sock", resources: Resources(cpus: 4, gpus: 2),
                               storeCapacity: 1 << 30, sessionDirectory: "/tmp/s", nodeIP: "10.0.0.3", peerAddress: "10.0.0.3:4000")
    static let programHash = ContentHash(bytes: Array(0...31))!
    static let status = NodeStatus(info: node, isAlive: true, available: Resources(cpus: 2), queuedTasks: 4)

    /// At least one of every message, most fields not empty.
    static let messages: [Message] = [
        .register(ClientRegistration(kind: .driver, pid: 42, jobID: JobID(1), executablePath: "/bin/app")),
        .register(ClientRegistration(kind: .worker, pid: 43, jobID: JobID(1), workerToken: 99)),
        .registered(nodeID: NodeID(5), storeCapacity: 1 << 30, sessionDirectory: "/tmp/ray/s"),
        .submitTask(spec),
        .submitTask(actorSpec),
        .putObject(id: object, payload: [0x52, 0x56, 0, 0, 0, 0, 0, 0, 1], contained: [putObject]),
        .createObject(request: 7, id: object, size: 1 << 20),
        .createReply(request: 7, offset: 4096, error: nil),
        .createReply(request: 8, offset: 0, error: "full"),
        .sealObject(id: object, contained: [putObject]),
        .getObjects(request: 9, ids: [object, putObject]),
        .objectsReply(request: 9, locations: [ObjectLocation(id: object, offset: 64, size: 100)]),
        .waitObjects(request: 10, ids: [object, putObject], numReturns: 1, timeoutMilliseconds: -1),
        .waitReply(request: 10, ready: [object]),
        .releaseObjects([object]), .addReferences([object, putObject]), .removeReferences([]),
        .executeTask(spec, arguments: [ObjectLocation(id: putObject, offset: 0, size: 1)], gpuIDs: [0, 3]),
        .executeTask(actorSpec, arguments: [], gpuIDs: []),
        .taskDone(taskID: task, results: [.inline(id: object, payload: [1], contained: [putObject]),
                                          .stored(id: ObjectID(task: task, index: 2))], error: record),
        .taskDone(taskID: task, results: [], error: nil),
        .shutdown, .killActor(task), .returnTasks([task, parent]),
        .putResult(id: object, payload: [0x52, 0x56, 0, 0, 0, 0, 0, 0, 2], contained: []),
        .dropActorHolds(actorID: task, ids: [object]),
        .registerJob(request: 1), .jobRegistered(request: 1, jobID: JobID(9)),
        .registerNode(node), .reportError(record), .subscribeErrors(JobID(2)), .errorNotice(record),
        .getErrors(request: 3, jobID: JobID(2)), .errorsReply(request: 3, errors: [record]),
        .getNodes(request: 4), .nodesReply(request: 4, nodes: [status]),
        .peerHello(nodeID: NodeID(3)),
        .forwardTask(spec, executable: "/bin/app", hints: [ObjectHint(id: putObject, node: NodeID(3), size: 100)], queueIfBusy: false),
        .taskRejected(task), .pullObject(object),
        .objectChunk(id: object, totalSize: 8, offset: 4, contained: [putObject], bytes: [1, 2, 3, 4]),
        .objectUnavailable(id: object, reason: "gone"), .locateObject(object), .objectLocated(id: object, size: 100),
        .heartbeat(nodeID: NodeID(3), available: Resources(cpus: 1), queuedTasks: 2), .subscribeNodes, .nodeAdded(node),
        .nodeResources(nodeID: NodeID(3), available: Resources(gpus: 1), queuedTasks: 0), .nodeDied(nodeID: NodeID(3), reason: "silent"),
        .registerActor(actorID: task, nodeID: NodeID(3), address: "10.0.0.3:4001"), .getActor(request: 8, actorID: task),
        .actorReply(request: 8, nodeID: NodeID(3), address: "10.0.0.3:4001"), .actorReply(request: 8, nodeID: nil, address: ""),
        .putKeyValue(request: 9, key: "config", value: [1, 2]), .putKeyValue(request: 9, key: "config", value: nil),
        .getKeyValue(request: 9, key: "config"), .keyValueReply(request: 9, value: [1], error: nil),
        .keyValueReply(request: 9, value: nil, error: "full"),
        .registerActorName(request: 6, name: "ps", actorID: task), .actorNameReply(request: 6, error: "taken"),
        .actorNameReply(request: 6, error: nil), .lookupActorName(request: 7, name: "ps"),
        .actorLookupReply(request: 7, actorID: task), .actorLookupReply(request: 7, actorID: nil),
        .queryExecutable(request: 8, hash: programHash), .executableInfo(request: 8, hash: programHash, size: 3),
        .executableInfo(request: 8, hash: nil, size: 0),
        .uploadExecutable(request: 9, hash: programHash, totalSize: 3, offset: 0, bytes: [0x7f, 0x45, 0x4c]),
        .executableReply(request: 9, error: nil), .executableReply(request: 9, error: "hash mismatch"),
        .setJobExecutable(request: 10, jobID: JobID(2), hash: programHash), .getJobExecutable(request: 11, jobID: JobID(2)),
        .readExecutable(request: 12, hash: programHash, offset: 1, count: 2),
        .executableChunk(request: 12, totalSize: 3, offset: 1, bytes: [0x45, 0x4c]),
    ]

    /// The body of each message (no length prefix): what `Message.read` parses.
    static var messageBodies: [[UInt8]] { messages.map { Array($0.frame.dropFirst(4)) } }

    /// If `RAY_FUZZ_SEEDS` names a directory, writes `seeds` there (one file each) and exits.
    static func writeSeedsIfAsked(_ seeds: () -> [[UInt8]]) {
        guard let directory = getenv("RAY_FUZZ_SEEDS").map({ String(cString: $0) }) else { return }
        for (index, seed) in seeds().enumerated() {
            let path = "\(directory)/seed-\(index)"
            guard let file = fopen(path, "wb") else {
                perror(path)
                exit(1)
            }
            _ = seed.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            fclose(file)
        }
        exit(0)
    }
}
