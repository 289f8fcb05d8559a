/// The type byte that starts every frame body: the one place the message numbers are written.
/// `Message.tag` maps each case to its number for the encoder, and `Message.read` switches over
/// these cases, so both directions agree by construction. A number is never reused for another
/// layout: a changed layout gets a new protocol version (`ClientRegistration.protocolVersion`).
/// docs/ARCHITECTURE.md lists them with their direction and purpose.
public enum MessageTag: UInt8, Sendable, CaseIterable {
    // Client (driver or worker) and raylet; 15, 16 and 21 also on actor connections.
    case register = 1
    case registered = 2
    case submitTask = 3
    case putObject = 4
    case createObject = 5
    case createReply = 6
    case sealObject = 7
    case getObjects = 8
    case objectsReply = 9
    case waitObjects = 10
    case waitReply = 11
    case releaseObjects = 12
    case addReferences = 13
    case removeReferences = 14
    case executeTask = 15
    case taskDone = 16
    case shutdown = 17
    case killActor = 18
    case returnTasks = 19
    case putResult = 20
    case dropActorHolds = 21
    case cancelRequest = 22

    // Raylet and raylet.
    case peerHello = 23
    case forwardTask = 24
    case taskRejected = 25
    case pullObject = 26
    case objectChunk = 27
    case objectUnavailable = 28
    case locateObject = 29
    case objectLocated = 30

    // Anyone and the control store.
    case registerJob = 40
    case jobRegistered = 41
    case registerNode = 42
    case reportError = 43
    case subscribeErrors = 44
    case errorNotice = 45
    case getErrors = 46
    case errorsReply = 47
    case getNodes = 48
    case nodesReply = 49
    case registerActorName = 50
    case actorNameReply = 51
    case lookupActorName = 52
    case actorLookupReply = 53
    case heartbeat = 54
    case subscribeNodes = 55
    case nodeAdded = 56
    case nodeResources = 57
    case nodeDied = 58
    case queryExecutable = 59
    case executableInfo = 60
    case uploadExecutable = 61
    case executableReply = 62
    case setJobExecutable = 63
    case getJobExecutable = 64
    case readExecutable = 65
    case executableChunk = 66
    // The actor table (70 on, leaving 59-69 to other tables).
    case registerActor = 70
    case getActor = 71
    case actorReply = 72
    // The key-value table.
    case putKeyValue = 73
    case getKeyValue = 74
    case keyValueReply = 75
}
