import RayCore

/// A remote function with the options of one call; its `remote(...)` submits the task.
public struct RemoteCall<F: RemoteFunction>: Sendable {
    /// Encoded plain arguments up to this size travel in the task message; larger ones (and any
    /// holding refs) are put in the object store once and passed by reference.
    static var inlineArgumentLimit: Int { 100 * 1024 }

    let resources: Resources

    /// A request that leaves out the CPUs gets one, as a Ray task does by default.
    init(resources: Resources = F.resources) {
        self.resources = resources.defaultingCPUs(to: 1)
    }

    /// Submits the task and returns the ref of its result at once.
    func submit<Output>(_ arguments: [CallArgument]) throws -> ObjectRef<Output> {
        let returnCount = F._returnCount
        guard returnCount <= WireLimits.maxReturnCount else {
            // Raylets refuse such a task spec (and the connection that sent it).
            throw RayError.invalidArgument("\(F.self) returns \(returnCount) objects; a task returns at most \(WireLimits.maxReturnCount)")
        }
        let core = try CoreWorkerRegistry.require()
        let context = core.currentContext
        let taskID = context.nextTaskID()
        var stored = [ReferenceHolder]()
        let taskArguments = try arguments.map { argument -> TaskArgument in
            switch argument.kind {
            case let .reference(id):
                return .reference(id)
            case let .value(value):
                let encoded = try ObjectCodec.encode(value)
                if encoded.bytes.count <= Self.inlineArgumentLimit && encoded.containedObjectIDs.isEmpty {
                    return .value(encoded.bytes)
                }
                let id = context.nextPutID()
                try core.store(id, try ObjectCodec.payload(for: value))
                stored.append(core.hold(id, countedByNode: true))
                return .reference(id)
            }
        }
        let spec = TaskSpec(taskID: taskID, jobID: core.jobID, parentTaskID: context.taskID, functionName: F.wireName,
                            displayName: String(reflecting: F.self), arguments: taskArguments, returnCount: returnCount,
                            resources: resources)
        try core.submit(spec)
        let holder = core.hold(spec.returnIDs, countedByNode: true)
        withExtendedLifetime(stored) {}
        let id = returnCount == 1 ? spec.returnIDs[0] : ObjectID(task: taskID, index: 0)
        return ObjectRef(id: id, holder: holder)
    }
}
