import RayCore

/// The actors of this node by ID, and by the object that stands for their handles: when a hold
/// on such an object goes, the node checks whether the actor's last handle went with it.
struct ActorDirectory {
    private var actors: [TaskID: ActorState] = [:]
    private var byHandle: [ObjectID: TaskID] = [:]
    /// Handle objects whose count may have dropped to zero, checked after each message.
    private var released: [ObjectID] = []

    subscript(id: TaskID) -> ActorState? {
        get { actors[id] }
        set { actors[id] = newValue }
    }

    var ids: [TaskID] { Array(actors.keys) }

    /// An actor's creation was submitted.
    mutating func add(creation: TaskSpec) {
        actors[creation.taskID] = ActorState(creation: creation)
        byHandle[ActorTaskInfo.handleObject(of: creation.taskID)] = creation.taskID
    }

    /// The actor went to another node: this one no longer tracks it.
    mutating func remove(_ id: TaskID) {
        actors[id] = nil
        byHandle[ActorTaskInfo.handleObject(of: id)] = nil
    }

    /// A hold on `object` went away: remembered when it stands for an actor's handles.
    mutating func holdDropped(_ object: ObjectID) {
        if !byHandle.isEmpty && byHandle[object] != nil { released.append(object) }
    }

    /// The handle objects whose holds went since the last call, with their actors.
    mutating func takeReleased() -> [(handle: ObjectID, actorID: TaskID)] {
        defer { released.removeAll() }
        return released.compactMap { handle in byHandle[handle].map { (handle, $0) } }
    }

    /// The actors a job's end takes with it: all of its actors but the detached ones.
    func ended(with job: JobID) -> [TaskID] {
        actors.compactMap { $0.value.creation.jobID == job && !$0.value.isDetached ? $0.key : nil }
    }
}
