extension Message {
    /// The type byte that starts each frame's payload.
    public var tag: MessageTag {
        switch self {
        case .register: .register
        case .registered: .registered
        case .submitTask: .submitTask
        case .putObject: .putObject
        case .createObject: .createObject
        case .createReply: .createReply
        case .sealObject: .sealObject
        case .getObjects: .getObjects
        case .objectsReply: .objectsReply
        case .waitObjects: .waitObjects
        case .waitReply: .waitReply
        case .releaseObjects: .releaseObjects
        case .addReferences: .addReferences
        case .removeReferences: .removeReferences
        case .executeTask: .executeTask
        case .taskDone: .taskDone
        case .shutdown: .shutdown
        case .killActor: .killActor
        case .returnTasks: .returnTasks
        case .putResult: .putResult
        case .dropActorHolds: .dropActorHolds
        case .cancelRequest: .cancelRequest
        case .peerHello: .peerHello
        case .forwardTask: .forwardTask
        case .taskRejected: .taskRejected
        case .pullObject: .pullObject
        case .objectChunk: .objectChunk
        case .objectUnavailable: .objectUnavailable
        case .locateObject: .locateObject
        case .objectLocated: .objectLocated
        case .heartbeat: .heartbeat
        case .subscribeNodes: .subscribeNodes
        case .nodeAdded: .nodeAdded
        case .nodeResources: .nodeResources
        case .nodeDied: .nodeDied
        case .queryExecutable: .queryExecutable
        case .executableInfo: .executableInfo
        case .uploadExecutable: .uploadExecutable
        case .executableReply: .executableReply
        case .setJobExecutable: .setJobExecutable
        case .getJobExecutable: .getJobExecutable
        case .readExecutable: .readExecutable
        case .executableChunk: .executableChunk
        case .registerActor: .registerActor
        case .getActor: .getActor
        case .actorReply: .actorReply
        case .putKeyValue: .putKeyValue
        case .getKeyValue: .getKeyValue
        case .keyValueReply: .keyValueReply
        case .registerJob: .registerJob
        case .jobRegistered: .jobRegistered
        case .registerNode: .registerNode
        case .reportError: .reportError
        case .subscribeErrors: .subscribeErrors
        case .errorNotice: .errorNotice
        case .getErrors: .getErrors
        case .errorsReply: .errorsReply
        case .getNodes: .getNodes
        case .nodesReply: .nodesReply
        case .registerActorName: .registerActorName
        case .actorNameReply: .actorNameReply
        case .lookupActorName: .lookupActorName
        case .actorLookupReply: .actorLookupReply
        }
    }

    /// Appends the message body (tag and fields, no length prefix).
    public func write(to w: inout WireWriter) {
        w.u8(tag.rawValue)
        switch self {
        case let .register(registration): registration.write(to: &w)
        case let .registered(nodeID, capacity, session):
            w.u64(nodeID.value)
            w.u64(UInt64(capacity))
            w.string(session)
        case let .submitTask(spec): spec.write(to: &w)
        case let .putObject(id, payload, contained), let .putResult(id, payload, contained):
            w.objectID(id)
            w.blob(payload)
            w.objectIDs(contained)
        case let .createObject(request, id, size):
            w.u64(request)
            w.objectID(id)
            w.u64(UInt64(size))
        case let .createReply(request, offset, error):
            w.u64(request)
            w.u64(UInt64(offset))
            w.optional(error) { w, e in w.string(e) }
        case let .sealObject(id, contained):
            w.objectID(id)
            w.objectIDs(contained)
        case let .getObjects(request, ids):
            w.u64(request)
            w.objectIDs(ids)
        case let .objectsReply(request, locations):
            w.u64(request)
            w.array(locations) { w, l in l.write(to: &w) }
        case let .waitObjects(request, ids, numReturns, timeout):
            w.u64(request)
            w.objectIDs(ids)
            w.u32(UInt32(numReturns))
            w.i64(timeout)
        case let .waitReply(request, ready):
            w.u64(request)
            w.objectIDs(ready)
        case let .releaseObjects(ids), let .addReferences(ids), let .removeReferences(ids):
            w.objectIDs(ids)
        case let .executeTask(spec, arguments, gpuIDs):
            spec.write(to: &w)
            w.array(arguments) { w, l in l.write(to: &w) }
            w.array(gpuIDs) { w, g in w.u32(UInt32(g)) }
        case let .taskDone(taskID, results, error):
            w.taskID(taskID)
            w.array(results) { w, r in r.write(to: &w) }
            w.optional(error) { w, e in e.write(to: &w) }
        case .shutdown: break
        case let .killActor(actorID): w.taskID(actorID)
        case let .cancelRequest(request): w.u64(request)
        case let .returnTasks(taskIDs): w.array(taskIDs) { w, id in w.taskID(id) }
        case let .dropActorHolds(actorID, ids):
            w.taskID(actorID)
            w.objectIDs(ids)
        case let .registerActorName(request, name, actorID):
            w.u64(request)
            w.string(name)
            w.taskID(actorID)
        case let .actorNameReply(request, error):
            w.u64(request)
            w.optional(error) { w, e in w.string(e) }
        case let .lookupActorName(request, name):
            w.u64(request)
            w.string(name)
        case let .actorLookupReply(request, actorID):
            w.u64(request)
            w.optional(actorID) { w, id in w.taskID(id) }
        case let .registerJob(request), let .getNodes(request): w.u64(request)
        case let .jobRegistered(request, jobID):
            w.u64(request)
            w.u32(jobID.value)
        case let .registerNode(node): node.write(to: &w)
        case let .reportError(record), let .errorNotice(record): record.write(to: &w)
        case let .subscribeErrors(jobID): w.u32(jobID.value)
        case let .getErrors(request, jobID):
            w.u64(request)
            w.u32(jobID.value)
        case let .errorsReply(request, errors):
            w.u64(request)
            w.array(errors) { w, e in e.write(to: &w) }
        case let .nodesReply(request, nodes):
            w.u64(request)
            w.array(nodes) { w, n in n.write(to: &w) }
        case let .peerHello(nodeID): w.u64(nodeID.value)
        case let .forwardTask(spec, executable, hints, queueIfBusy):
            spec.write(to: &w)
            w.string(executable)
            w.array(hints) { w, h in h.write(to: &w) }
            w.u8(queueIfBusy ? 1 : 0)
        case let .taskRejected(taskID): w.taskID(taskID)
        case let .pullObject(id): w.objectID(id)
        case let .objectChunk(id, totalSize, offset, contained, bytes):
            w.objectID(id)
            w.u64(UInt64(totalSize))
            w.u64(UInt64(offset))
            w.objectIDs(contained)
            w.blob(bytes)
        case let .objectUnavailable(id, reason):
            w.objectID(id)
            w.string(reason)
        case let .locateObject(id): w.objectID(id)
        case let .objectLocated(id, size):
            w.objectID(id)
            w.u64(UInt64(size))
        case let .heartbeat(nodeID, available, queued), let .nodeResources(nodeID, available, queued):
            w.u64(nodeID.value)
            available.write(to: &w)
            w.u32(UInt32(clamping: queued))
        case .subscribeNodes: break
        case let .nodeAdded(node): node.write(to: &w)
        case let .nodeDied(nodeID, reason):
            w.u64(nodeID.value)
            w.string(reason)
        case let .queryExecutable(request, hash):
            w.u64(request)
            hash.write(to: &w)
        case let .executableInfo(request, hash, size):
            w.u64(request)
            w.optional(hash) { w, h in h.write(to: &w) }
            w.u64(UInt64(size))
        case let .uploadExecutable(request, hash, totalSize, offset, bytes):
            w.u64(request)
            hash.write(to: &w)
            w.u64(UInt64(totalSize))
            w.u64(UInt64(offset))
            w.blob(bytes)
        case let .executableReply(request, error):
            w.u64(request)
            w.optional(error) { w, e in w.string(e) }
        case let .setJobExecutable(request, jobID, hash):
            w.u64(request)
            w.u32(jobID.value)
            hash.write(to: &w)
        case let .getJobExecutable(request, jobID):
            w.u64(request)
            w.u32(jobID.value)
        case let .readExecutable(request, hash, offset, count):
            w.u64(request)
            hash.write(to: &w)
            w.u64(UInt64(offset))
            w.u64(UInt64(count))
        case let .executableChunk(request, totalSize, offset, bytes):
            w.u64(request)
            w.u64(UInt64(totalSize))
            w.u64(UInt64(offset))
            w.blob(bytes)
        case let .registerActor(actorID, nodeID, address):
            w.taskID(actorID)
            w.u64(nodeID.value)
            w.string(address)
        case let .getActor(request, actorID):
            w.u64(request)
            w.taskID(actorID)
        case let .actorReply(request, nodeID, address):
            w.u64(request)
            w.optional(nodeID) { w, n in w.u64(n.value) }
            w.string(address)
        case let .putKeyValue(request, key, value):
            w.u64(request)
            w.string(key)
            w.optional(value) { w, v in w.blob(v) }
        case let .getKeyValue(request, key):
            w.u64(request)
            w.string(key)
        case let .keyValueReply(request, value, error):
            w.u64(request)
            w.optional(value) { w, v in w.blob(v) }
            w.optional(error) { w, e in w.string(e) }
        }
    }

    /// A complete frame: a little-endian u32 length, then the body.
    public var frame: [UInt8] {
        var w = WireWriter()
        w.u32(0)
        write(to: &w)
        var bytes = w.bytes
        let length = UInt32(bytes.count - 4).littleEndian
        withUnsafeBytes(of: length) { for i in 0..<4 { bytes[i] = $0[i] } }
        return bytes
    }

    /// The start of an `objectChunk` body (no length prefix) whose `count` payload bytes follow
    /// it unencoded: they go from the store to the socket with no copy in between
    /// (`FramedConnection.send(header:body:)`).
    public static func objectChunkHeader(id: ObjectID, totalSize: Int, offset: Int, contained: [ObjectID], count: Int) -> [UInt8] {
        var w = WireWriter()
        w.u8(MessageTag.objectChunk.rawValue)
        w.objectID(id)
        w.u64(UInt64(totalSize))
        w.u64(UInt64(offset))
        w.objectIDs(contained)
        w.u32(UInt32(count))
        return w.bytes
    }

    /// Parses one frame body; every byte must be consumed.
    public static func read(_ body: UnsafeRawBufferPointer) throws(WireError) -> Message {
        var r = WireReader(body)
        let message = try read(from: &r)
        guard r.remaining == 0 else { throw WireError.trailingBytes(r.remaining) }
        return message
    }

    static func read(from r: inout WireReader) throws(WireError) -> Message {
        let byte = try r.u8()
        guard let tag = MessageTag(rawValue: byte) else { throw WireError.unknownMessage(byte) }
        switch tag {
        case .register: return .register(try ClientRegistration.read(from: &r))
        case .registered: return .registered(nodeID: NodeID(try r.u64()), storeCapacity: try r.arenaBytes("store capacity"), sessionDirectory: try r.string())
        case .submitTask: return .submitTask(try TaskSpec.read(from: &r))
        case .putObject: return .putObject(id: try r.objectID(), payload: try r.blob(), contained: try r.objectIDs())
        case .createObject: return .createObject(request: try r.u64(), id: try r.objectID(), size: try r.arenaBytes("object size"))
        case .createReply: return .createReply(request: try r.u64(), offset: try r.arenaBytes("object offset"), error: try r.optional { r throws(WireError) in try r.string() })
        case .sealObject: return .sealObject(id: try r.objectID(), contained: try r.objectIDs())
        case .getObjects: return .getObjects(request: try r.u64(), ids: try r.objectIDs())
        case .objectsReply: return .objectsReply(request: try r.u64(), locations: try r.array(itemBytes: ObjectLocation.wireBytes) { r throws(WireError) in try ObjectLocation.read(from: &r) })
        case .waitObjects:
            let request = try r.u64(), ids = try r.objectIDs()
            return .waitObjects(request: request, ids: ids, numReturns: try r.u32("wait numReturns", atMost: ids.count), timeoutMilliseconds: try r.i64())
        case .waitReply: return .waitReply(request: try r.u64(), ready: try r.objectIDs())
        case .releaseObjects: return .releaseObjects(try r.objectIDs())
        case .addReferences: return .addReferences(try r.objectIDs())
        case .removeReferences: return .removeReferences(try r.objectIDs())
        case .executeTask:
            let spec = try TaskSpec.read(from: &r)
            let arguments = try r.array(itemBytes: ObjectLocation.wireBytes) { r throws(WireError) in try ObjectLocation.read(from: &r) }
            let gpuCount = try r.u32("GPU ID count", atMost: WireLimits.maxGPUs)
            let gpuIDs = try r.items(gpuCount, itemBytes: 4) { r throws(WireError) in try r.u32("GPU ID", atMost: WireLimits.maxGPUs - 1) }
            return .executeTask(spec, arguments: arguments, gpuIDs: gpuIDs)
        case .taskDone:
            return .taskDone(taskID: try r.taskID(), results: try r.array(itemBytes: ReturnValue.minimumWireBytes) { r throws(WireError) in try ReturnValue.read(from: &r) },
                             error: try r.optional { r throws(WireError) in try ErrorRecord.read(from: &r) })
        case .shutdown: return .shutdown
        case .killActor: return .killActor(try r.taskID())
        case .cancelRequest: return .cancelRequest(request: try r.u64())
        case .returnTasks: return .returnTasks(try r.array(itemBytes: TaskID.byteCount) { r throws(WireError) in try r.taskID() })
        case .putResult: return .putResult(id: try r.objectID(), payload: try r.blob(), contained: try r.objectIDs())
        case .dropActorHolds: return .dropActorHolds(actorID: try r.taskID(), ids: try r.objectIDs())
        case .registerActorName: return .registerActorName(request: try r.u64(), name: try r.string(), actorID: try r.taskID())
        case .actorNameReply: return .actorNameReply(request: try r.u64(), error: try r.optional { r throws(WireError) in try r.string() })
        case .lookupActorName: return .lookupActorName(request: try r.u64(), name: try r.string())
        case .actorLookupReply: return .actorLookupReply(request: try r.u64(), actorID: try r.optional { r throws(WireError) in try r.taskID() })
        case .registerJob: return .registerJob(request: try r.u64())
        case .jobRegistered: return .jobRegistered(request: try r.u64(), jobID: JobID(try r.u32()))
        case .registerNode: return .registerNode(try NodeInfo.read(from: &r))
        case .reportError: return .reportError(try ErrorRecord.read(from: &r))
        case .subscribeErrors: return .subscribeErrors(JobID(try r.u32()))
        case .errorNotice: return .errorNotice(try ErrorRecord.read(from: &r))
        case .getErrors: return .getErrors(request: try r.u64(), jobID: JobID(try r.u32()))
        case .errorsReply: return .errorsReply(request: try r.u64(), errors: try r.array(itemBytes: ErrorRecord.minimumWireBytes) { r throws(WireError) in try ErrorRecord.read(from: &r) })
        case .getNodes: return .getNodes(request: try r.u64())
        case .nodesReply: return .nodesReply(request: try r.u64(), nodes: try r.array(itemBytes: NodeStatus.minimumWireBytes) { r throws(WireError) in try NodeStatus.read(from: &r) })
        case .peerHello: return .peerHello(nodeID: NodeID(try r.u64()))
        case .forwardTask:
            return .forwardTask(try TaskSpec.read(from: &r), executable: try r.string(),
                                hints: try r.array(itemBytes: ObjectHint.wireBytes) { r throws(WireError) in try ObjectHint.read(from: &r) },
                                queueIfBusy: try r.u8() != 0)
        case .taskRejected: return .taskRejected(try r.taskID())
        case .pullObject: return .pullObject(try r.objectID())
        case .objectChunk:
            let id = try r.objectID(), totalSize = try r.arenaBytes("object size"), offset = try r.arenaBytes("chunk offset")
            let contained = try r.objectIDs(), bytes = try r.blob()
            guard offset + bytes.count <= totalSize else {
                throw WireError.outOfRange(field: "object chunk end", value: UInt64(offset + bytes.count), limit: UInt64(totalSize))
            }
            return .objectChunk(id: id, totalSize: totalSize, offset: offset, contained: contained, bytes: bytes)
        case .objectUnavailable: return .objectUnavailable(id: try r.objectID(), reason: try r.string())
        case .locateObject: return .locateObject(try r.objectID())
        case .objectLocated: return .objectLocated(id: try r.objectID(), size: try r.arenaBytes("object size"))
        case .heartbeat: return .heartbeat(nodeID: NodeID(try r.u64()), available: try Resources.read(from: &r), queuedTasks: Int(try r.u32()))
        case .subscribeNodes: return .subscribeNodes
        case .nodeAdded: return .nodeAdded(try NodeInfo.read(from: &r))
        case .nodeResources: return .nodeResources(nodeID: NodeID(try r.u64()), available: try Resources.read(from: &r), queuedTasks: Int(try r.u32()))
        case .nodeDied: return .nodeDied(nodeID: NodeID(try r.u64()), reason: try r.string())
        case .queryExecutable: return .queryExecutable(request: try r.u64(), hash: try ContentHash.read(from: &r))
        case .executableInfo:
            return .executableInfo(request: try r.u64(), hash: try r.optional { r throws(WireError) in try ContentHash.read(from: &r) },
                                   size: try r.executableBytes("program size"))
        case .uploadExecutable:
            let request = try r.u64(), hash = try ContentHash.read(from: &r)
            let totalSize = try r.executableBytes("program size"), offset = try r.executableBytes("program chunk offset")
            let bytes = try r.blob()
            try Self.checkChunk(offset: offset, count: bytes.count, totalSize: totalSize)
            return .uploadExecutable(request: request, hash: hash, totalSize: totalSize, offset: offset, bytes: bytes)
        case .executableReply: return .executableReply(request: try r.u64(), error: try r.optional { r throws(WireError) in try r.string() })
        case .setJobExecutable: return .setJobExecutable(request: try r.u64(), jobID: JobID(try r.u32()), hash: try ContentHash.read(from: &r))
        case .getJobExecutable: return .getJobExecutable(request: try r.u64(), jobID: JobID(try r.u32()))
        case .readExecutable:
            let request = try r.u64(), hash = try ContentHash.read(from: &r), offset = try r.executableBytes("program read offset")
            let count = try r.u64()
            guard count <= UInt64(WireLimits.maxExecutableChunkBytes) else {
                throw WireError.outOfRange(field: "program read count", value: count, limit: UInt64(WireLimits.maxExecutableChunkBytes))
            }
            return .readExecutable(request: request, hash: hash, offset: offset, count: Int(count))
        case .executableChunk:
            let request = try r.u64(), totalSize = try r.executableBytes("program size"), offset = try r.executableBytes("program chunk offset")
            let bytes = try r.blob()
            try Self.checkChunk(offset: offset, count: bytes.count, totalSize: totalSize)
            return .executableChunk(request: request, totalSize: totalSize, offset: offset, bytes: bytes)
        case .registerActor: return .registerActor(actorID: try r.taskID(), nodeID: NodeID(try r.u64()), address: try r.string())
        case .getActor: return .getActor(request: try r.u64(), actorID: try r.taskID())
        case .actorReply:
            return .actorReply(request: try r.u64(), nodeID: try r.optional { r throws(WireError) in NodeID(try r.u64()) }, address: try r.string())
        case .putKeyValue:
            return .putKeyValue(request: try r.u64(), key: try r.string(), value: try r.optional { r throws(WireError) in try r.blob() })
        case .getKeyValue: return .getKeyValue(request: try r.u64(), key: try r.string())
        case .keyValueReply:
            return .keyValueReply(request: try r.u64(), value: try r.optional { r throws(WireError) in try r.blob() },
                                  error: try r.optional { r throws(WireError) in try r.string() })
        }
    }

    /// A piece of a program lies inside it and is no larger than a piece may be.
    private static func checkChunk(offset: Int, count: Int, totalSize: Int) throws(WireError) {
        guard count <= WireLimits.maxExecutableChunkBytes else {
            throw WireError.outOfRange(field: "program chunk size", value: UInt64(count), limit: UInt64(WireLimits.maxExecutableChunkBytes))
        }
        guard offset + count <= totalSize else {
            throw WireError.outOfRange(field: "program chunk end", value: UInt64(offset + count), limit: UInt64(totalSize))
        }
    }
}
