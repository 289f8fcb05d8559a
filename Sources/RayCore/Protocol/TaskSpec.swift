/// Everything a node needs to run a task, and all that lineage needs to run it again.
public struct TaskSpec: Sendable, Equatable {
    public var taskID: TaskID
    public var jobID: JobID
    public var parentTaskID: TaskID
    /// The mangled name of the remote function's type: how a worker finds the code.
    public var functionName: String
    /// A readable name for errors and logs.
    public var displayName: String
    public var arguments: [TaskArgument]
    public var returnCount: Int
    public var resources: Resources
    /// Set for actor creation and actor method tasks.
    public var actor: ActorTaskInfo?

    public init(taskID: TaskID, jobID: JobID, parentTaskID: TaskID, functionName: String, displayName: String,
                arguments: [TaskArgument], returnCount: Int, resources: Resources, actor: ActorTaskInfo? = nil) {
        self.taskID = taskID
        self.jobID = jobID
        self.parentTaskID = parentTaskID
        self.functionName = functionName
        self.displayName = displayName
        self.arguments = arguments
        self.returnCount = returnCount
        self.resources = resources
        self.actor = actor
    }

    public var returnIDs: [ObjectID] {
        (0..<returnCount).map { ObjectID.returnValue(of: taskID, position: $0) }
    }

    public var referencedIDs: [ObjectID] {
        arguments.compactMap { if case let .reference(id) = $0 { id } else { nil } }
    }

    public func write(to w: inout WireWriter) {
        w.taskID(taskID)
        w.u32(jobID.value)
        w.taskID(parentTaskID)
        w.string(functionName)
        w.string(displayName)
        w.array(arguments) { w, argument in argument.write(to: &w) }
        w.u32(UInt32(returnCount))
        resources.write(to: &w)
        w.optional(actor) { w, a in a.write(to: &w) }
    }

    public static func read(from r: inout WireReader) throws(WireError) -> TaskSpec {
        TaskSpec(
            taskID: try r.taskID(),
            jobID: JobID(try r.u32()),
            parentTaskID: try r.taskID(),
            functionName: try r.string(),
            displayName: try r.string(),
            arguments: try r.array(itemBytes: TaskArgument.minimumWireBytes) { r throws(WireError) in try TaskArgument.read(from: &r) },
            returnCount: try r.u32("task return count", atMost: WireLimits.maxReturnCount),
            resources: try Resources.read(from: &r),
            actor: try r.optional { r throws(WireError) in try ActorTaskInfo.read(from: &r) })
    }
}
