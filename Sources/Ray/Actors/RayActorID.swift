import RayCore

/// The identity of an actor: the ID of the task that created it.
public struct RayActorID: Hashable, Sendable, Codable, CustomStringConvertible {
    public let taskID: TaskID

    init(_ taskID: TaskID) { self.taskID = taskID }

    /// The object whose holders keep the actor alive.
    var handleObject: ObjectID { ActorTaskInfo.handleObject(of: taskID) }

    public var description: String { "Actor(\(taskID.hex))" }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(taskID.high)
        try container.encode(taskID.low)
    }

    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        taskID = TaskID(high: try container.decode(UInt64.self), low: try container.decode(UInt64.self))
    }
}
