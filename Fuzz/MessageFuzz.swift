import RayCore

// libFuzzer target: `Message.read` (every message decoder) on arbitrary frame bodies.
//
// A body that decodes must encode to a frame that decodes to the same message, whose encoding
// is then stable (the decoder normalises some things, such as resource entries, so the first
// re-encoding may differ from the input). The derived properties that allocate from decoded
// numbers are computed too.

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    FuzzSeeds.writeSeedsIfAsked { FuzzSeeds.messageBodies }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMessage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = UnsafeRawBufferPointer(start: data, count: size)
    guard let message = try? Message.read(body) else { return 0 }
    touchDerivedValues(of: message)

    let frame = message.frame
    let again: Message
    do {
        again = try frame.withUnsafeBytes { try Message.read(UnsafeRawBufferPointer(rebasing: $0[4...])) }
    } catch {
        fatalError("\(message) encodes to a frame that does not decode: \(error)")
    }
    precondition(again == message, "\(message) decodes as \(again) after encoding")
    precondition(again.frame == frame, "the encoding of \(message) is not stable")
    return 0
}

/// What services compute from a decoded message before acting on it.
func touchDerivedValues(of message: Message) {
    var sink = 0
    switch message {
    case let .submitTask(spec), let .executeTask(spec, _, _):
        sink &+= spec.returnIDs.count &+ spec.referencedIDs.count
        if let actor = spec.actor { sink &+= ActorTaskInfo.handleObject(of: actor.actorID).hashValue }
        sink &+= spec.resources.description.utf8.count
    case let .taskDone(_, results, error):
        sink &+= results.reduce(0) { $0 &+ $1.id.hashValue }
        sink &+= error?.description.utf8.count ?? 0
    case let .reportError(record), let .errorNotice(record):
        sink &+= record.description.utf8.count
    case let .errorsReply(_, records):
        sink &+= records.reduce(0) { $0 &+ $1.description.utf8.count }
    case let .registerNode(node):
        sink &+= node.resources.description.utf8.count
    case let .nodesReply(_, nodes):
        sink &+= nodes.reduce(0) { $0 &+ $1.info.resources.description.utf8.count &+ $1.available.description.utf8.count }
    case let .forwardTask(spec, _, hints, _):
        sink &+= spec.returnIDs.count &+ hints.count
    case let .heartbeat(_, available, _), let .nodeResources(_, available, _):
        sink &+= available.description.utf8.count
    default:
        break
    }
    sink &+= message.tag.hashValue
    blackHole(sink)
}

@inline(never)
func blackHole(_ value: Int) {
    if value == 0x5EED_5EED { print("") }
}
