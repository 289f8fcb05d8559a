import Foundation
import RayCore
import RayTransport

/// A connection to a Ray cluster: the entry point of the API.
///
/// ```swift
/// let ray = try await Ray.start()               // a local cluster of child processes
/// let x = try ray.put([1, 2, 3])
/// print(try await ray.get(x))                   // [1, 2, 3]
/// try await ray.shutdown()
/// ```
///
/// Inside a task, `Ray.current()` is the worker's own connection.
public struct Ray: Sendable {
    let core: any CoreWorker

    init(core: any CoreWorker) {
        self.core = core
    }

    /// Starts a local cluster (a control store, a raylet with its object store, and workers on
    /// demand, all child processes of this program) and connects to it. The processes end when
    /// `shutdown` is called or this program exits, however it exits.
    ///
    /// With an address (`RayOptions.address`, or `RAY_ADDRESS` in the environment) it joins the
    /// cluster started there with `ray start` instead, through the node `ray start` started on
    /// this machine; `shutdown` then only disconnects.
    public static func start(_ options: RayOptions = RayOptions()) async throws -> Ray {
        if CoreWorkerRegistry.current != nil {
            throw RayError.invalidArgument("Ray is already started in this process; call shutdown() first")
        }
        do {
            _ = try BusyPoll.fromEnvironment()
        } catch {
            throw RayError.invalidArgument(error.description)
        }
        let core: any CoreWorker
        switch options.mode {
        case .cluster:
            if let address = options.clusterAddress {
                core = try ClusterJoin.connect(address: address, options: options)
            } else {
                core = try LocalCluster.start(options)
            }
        case .local: core = LocalModeCoreWorker(resources: options.resources, seed: options.objectIDSeed)
        }
        CoreWorkerRegistry.install(core)
        return Ray(core: core)
    }

    /// Joins the cluster at `address` (`ip:port` of its head, or `auto`), which `ray start` started:
    /// `start(RayOptions(address: address))`.
    public static func connect(address: String) async throws -> Ray {
        try await start(RayOptions(address: address))
    }

    /// Starts a cluster as `start` does, runs `body` with it, and shuts it down after, whether
    /// `body` returns or throws (the scoped form of `start` and `shutdown`, like Python Ray's
    /// `with ray.init():`).
    public static func withCluster<R>(_ options: RayOptions = RayOptions(), _ body: (Ray) async throws -> R) async throws -> R {
        let ray = try await start(options)
        do {
            let result = try await body(ray)
            await ray.shutdown()
            return result
        } catch {
            await ray.shutdown()
            throw error
        }
    }

    /// The connection of this process: the driver's after `start`, or the worker's inside a task.
    public static func current() throws -> Ray {
        Ray(core: try CoreWorkerRegistry.require())
    }

    /// Stops the cluster this program started (every process it started ends) and disconnects.
    public func shutdown() async {
        CoreWorkerRegistry.remove(core)
        await core.shutdown()
    }

    /// The node this process is connected to.
    public var nodeID: NodeID { core.nodeID }

    /// The IP address of the node this process runs on (the seed's `ray.services.get_node_ip_address()`).
    public var nodeIPAddress: String { core.nodeIP }

    /// The IP address of the node the calling task, actor or driver runs on (127.0.0.1 before
    /// `start`, or in a private single-machine cluster).
    public static var nodeIPAddress: String {
        (try? current())?.nodeIPAddress ?? ProcessInfo.processInfo.environment[RayEnvironmentKey.nodeIP] ?? "127.0.0.1"
    }

    /// The session directory of the node: its sockets, and logs when output is redirected.
    public var sessionDirectory: String { core.sessionDirectory }

    /// The process IDs of the services this program started (control store, raylet).
    public var serviceProcessIDs: [Int32] { core.serviceProcessIDs }

    // MARK: Objects

    /// Stores a value in the object store once; pass the ref to many tasks instead of the value.
    public func put<T: Codable & Sendable>(_ value: T) throws -> ObjectRef<T> {
        let id = core.currentContext.nextPutID()
        try core.store(id, try ObjectCodec.payload(for: value))
        return ObjectRef(id: id, holder: core.hold(id, countedByNode: true))
    }

    /// Waits for an object and returns its value; rethrows the `TaskError` of a failed task.
    /// Numeric arrays (`NDArray`) come back as views of shared memory, without a copy.
    public func get<T>(_ ref: ObjectRef<T>) async throws -> T {
        try await get([ref])[0]
    }

    /// Waits for all the objects and returns their values in the same order.
    public func get<T>(_ refs: [ObjectRef<T>]) async throws -> [T] {
        if let bundle = T.self as? any MultipleReturnValues.Type, refs.first?.partIDs != nil {
            var values = [T]()
            for ref in refs {
                guard let parts = ref.partIDs else { throw RayError.invalidArgument("\(ref) is not the result of a multi-return call") }
                let buffers = try await core.get(parts)
                values.append(try bundle.assemble(buffers.map { ObjectBufferHandle(buffer: $0) }) as! T)
            }
            return values
        }
        let buffers = try await core.get(refs.map { $0.id })
        return try buffers.map { try ObjectCodec.decode(T.self, from: $0) }
    }

    /// Returns when `numReturns` of the objects are ready or `timeout` passes: the ready refs (at
    /// most `numReturns`, in the order passed) and the rest, together the refs passed in. The refs
    /// must be unique.
    @inlinable
    public func wait<T>(_ refs: [ObjectRef<T>], numReturns: Int = 1, timeout: Duration? = nil) async throws
        -> (ready: [ObjectRef<T>], remaining: [ObjectRef<T>]) {
        // Inlinable so that the loops over the refs are specialized in the caller: generic code
        // walking an array of a generic type runs through value witnesses, several times slower.
        let readyIDs = try await readyObjects(among: refs.map { $0.id }, numReturns: numReturns, timeout: timeout)
        var ready = [ObjectRef<T>]()
        var remaining = [ObjectRef<T>]()
        ready.reserveCapacity(readyIDs.count)
        remaining.reserveCapacity(refs.count - readyIDs.count)
        var next = 0
        for ref in refs {
            if next < readyIDs.count && ref.id == readyIDs[next] {
                ready.append(ref)
                next += 1
            } else {
                remaining.append(ref)
            }
        }
        return (ready, remaining)
    }

    /// The first `numReturns` IDs, in the order given, of the objects that are ready when enough
    /// are or when `timeout` passes.
    @usableFromInline
    func readyObjects(among ids: [ObjectID], numReturns: Int, timeout: Duration?) async throws -> [ObjectID] {
        guard Set(ids).count == ids.count else { throw RayError.invalidArgument("wait was passed duplicate object refs") }
        guard numReturns >= 0, numReturns <= ids.count else {
            throw RayError.invalidArgument("numReturns \(numReturns) must be between 0 and the \(ids.count) refs passed")
        }
        return try await core.wait(ids, numReturns: numReturns, timeout: timeout)
    }

    // MARK: Introspection

    /// The failures of this job's tasks so far (the seed's `error_info`).
    public func errorInfo() async throws -> [TaskError] {
        try await core.errors().map(TaskError.init)
    }

    /// The GPU IDs assigned to the task running in this process (empty outside GPU tasks).
    public static var gpuIDs: [Int] { SubmissionContext.current?.gpuIDs ?? [] }

    /// Whether `pointer` lies inside this process's mapping of the node's object store.
    public func isInObjectStore(_ pointer: UnsafeRawPointer) -> Bool { core.isInObjectStore(pointer) }
}
