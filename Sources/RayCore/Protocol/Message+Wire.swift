extension Message {
    /// The type byte that starts each frame's payload.
    public var tag: UInt8 {
        switch self {
        case .register: 1
        case .registered: 2
        case .submitTask: 3
        case .putObject: 4
        case .createObject: 5
        case .createReply: 6
        case .sealObject: 7
        case .getObjects: 8
        case .objectsReply: 9
        case .waitObjects: 10
        case .waitReply: 11
        case .releaseObjects: 12
        case .addReferences: 13
        case .removeReferences: 14
        case .executeTask: 15
        case .taskDone: 16
        case .shutdown: 17
        case .killActor: 18
        case .returnTasks: 19
        case .putResult: 20
        case .dropActorHolds: 21
        case .registerJob: 40
        case .jobRegistered: 41
        case .registerNode: 42
        case .reportError: 43
        case .subscribeErrors: 44
        case .errorNotice: 45
        case .getErrors: 46
        case .errorsReply: 47
        case .getNodes: 48
        case .nodesReply: 49
        case .registerActorName: 50
        case .actorNameReply: 51
        case .lookupActorName: 52
        case .actorLookupReply: 53
        }
    }

    /// Appends the message body (tag and fields, no length prefix).
    public func write(to w: inout WireWriter) {
        w.u8(tag)
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

    /// Parses one frame body; every byte must be consumed.
    public static func read(_ body: UnsafeRawBufferPointer) throws(WireError) -> Message {
        var r = WireReader(body)
        let message = try read(from: &r)
        guard r.remaining == 0 else { throw WireError.trailingBytes(r.remaining) }
        return message
    }

    static func read(from r: inout WireReader) throws(WireError) -> Message {
        let tag = try r.u8()
        switch tag {
        case 1: return .register(try ClientRegistration.read(from: &r))
        case 2: return .registered(nodeID: NodeID(try r.u64()), storeCapacity: Int(truncatingIfNeeded: try r.u64()), sessionDirectory: try r.string())
        case 3: return .submitTask(try TaskSpec.read(from: &r))
        case 4: return .putObject(id: try r.objectID(), payload: try r.blob(), contained: try r.objectIDs())
        case 5: return .createObject(request: try r.u64(), id: try r.objectID(), size: Int(truncatingIfNeeded: try r.u64()))
        case 6: return .createReply(request: try r.u64(), offset: Int(truncatingIfNeeded: try r.u64()), error: try r.optional { r throws(WireError) in try r.string() })
        case 7: return .sealObject(id: try r.objectID(), contained: try r.objectIDs())
        case 8: return .getObjects(request: try r.u64(), ids: try r.objectIDs())
        case 9: return .objectsReply(request: try r.u64(), locations: try r.array { r throws(WireError) in try ObjectLocation.read(from: &r) })
        case 10: return .waitObjects(request: try r.u64(), ids: try r.objectIDs(), numReturns: Int(try r.u32()), timeoutMilliseconds: try r.i64())
        case 11: return .waitReply(request: try r.u64(), ready: try r.objectIDs())
        case 12: return .releaseObjects(try r.objectIDs())
        case 13: return .addReferences(try r.objectIDs())
        case 14: return .removeReferences(try r.objectIDs())
        case 15:
            return .executeTask(try TaskSpec.read(from: &r),
                                arguments: try r.array { r throws(WireError) in try ObjectLocation.read(from: &r) },
                                gpuIDs: try r.array { r throws(WireError) in Int(try r.u32()) })
        case 16:
            return .taskDone(taskID: try r.taskID(), results: try r.array { r throws(WireError) in try ReturnValue.read(from: &r) },
                             error: try r.optional { r throws(WireError) in try ErrorRecord.read(from: &r) })
        case 17: return .shutdown
        case 18: return .killActor(try r.taskID())
        case 19: return .returnTasks(try r.array { r throws(WireError) in try r.taskID() })
        case 20: return .putResult(id: try r.objectID(), payload: try r.blob(), contained: try r.objectIDs())
        case 21: return .dropActorHolds(actorID: try r.taskID(), ids: try r.objectIDs())
        case 50: return .registerActorName(request: try r.u64(), name: try r.string(), actorID: try r.taskID())
        case 51: return .actorNameReply(request: try r.u64(), error: try r.optional { r throws(WireError) in try r.string() })
        case 52: return .lookupActorName(request: try r.u64(), name: try r.string())
        case 53: return .actorLookupReply(request: try r.u64(), actorID: try r.optional { r throws(WireError) in try r.taskID() })
        case 40: return .registerJob(request: try r.u64())
        case 41: return .jobRegistered(request: try r.u64(), jobID: JobID(try r.u32()))
        case 42: return .registerNode(try NodeInfo.read(from: &r))
        case 43: return .reportError(try ErrorRecord.read(from: &r))
        case 44: return .subscribeErrors(JobID(try r.u32()))
        case 45: return .errorNotice(try ErrorRecord.read(from: &r))
        case 46: return .getErrors(request: try r.u64(), jobID: JobID(try r.u32()))
        case 47: return .errorsReply(request: try r.u64(), errors: try r.array { r throws(WireError) in try ErrorRecord.read(from: &r) })
        case 48: return .getNodes(request: try r.u64())
        case 49: return .nodesReply(request: try r.u64(), nodes: try r.array { r throws(WireError) in try NodeInfo.read(from: &r) })
        default: throw WireError.unknownMessage(tag)
        }
    }
}
