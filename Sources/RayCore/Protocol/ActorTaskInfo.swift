/// What makes a task an actor task: creating an actor, or calling one of its methods.
/// An actor's ID is the ID of the task that created it.
public struct ActorTaskInfo: Sendable, Equatable {
    public enum Kind: UInt8, Sendable {
        case creation = 1
        case method = 2
    }

    public var kind: Kind
    public var actorID: TaskID
    /// Generic substitutions of a generic method, as mangled type names.
    public var genericSubstitutions: [String]
    /// For creation: how many method calls may run at once (1 keeps them in order).
    public var maxConcurrency: Int
    /// For creation: the actor lives until killed, not until its last handle is gone.
    public var detached: Bool

    public init(kind: Kind, actorID: TaskID, genericSubstitutions: [String] = [], maxConcurrency: Int = 1, detached: Bool = false) {
        self.kind = kind
        self.actorID = actorID
        self.genericSubstitutions = genericSubstitutions
        self.maxConcurrency = maxConcurrency
        self.detached = detached
    }

    /// The object that stands for the actor's handles: whoever holds it keeps the actor alive.
    public static func handleObject(of actorID: TaskID) -> ObjectID { ObjectID.returnValue(of: actorID, position: 0) }

    public func write(to w: inout WireWriter) {
        w.u8(kind.rawValue)
        w.taskID(actorID)
        w.array(genericSubstitutions) { w, s in w.string(s) }
        w.u32(UInt32(maxConcurrency))
        w.bool(detached)
    }

    public static func read(from r: inout WireReader) throws(WireError) -> ActorTaskInfo {
        let tag = try r.u8()
        guard let kind = Kind(rawValue: tag) else { throw WireError.invalid("actor task kind \(tag)") }
        return ActorTaskInfo(kind: kind, actorID: try r.taskID(), genericSubstitutions: try r.array(itemBytes: 4) { r throws(WireError) in try r.string() },
                             maxConcurrency: Int(try r.u32()), detached: try r.bool())
    }
}
