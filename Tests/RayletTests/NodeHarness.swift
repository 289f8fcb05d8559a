import RayCore
import RayObjectStore
import Testing
@testable import Raylet

/// A node's state machine in process, with a small real arena and no sockets: clients are the
/// IDs the tests give them, and what the node would do is the actions each step returns.
struct NodeHarness {
    static let job = JobID(1)
    static let driver = 1

    var state: NodeState
    /// The node's clock, which the tests move.
    var now = 1000.0
    /// Every action returned so far.
    private(set) var log: [NodeAction] = []

    init(cpus: Double = 1, gpus: Double = 0, storeCapacity: Int = 1 << 20, nodeID: NodeID = NodeID(7)) throws {
        let arena = try SharedMemoryArena(capacity: storeCapacity, name: "node-state-test")
        state = NodeState(nodeID: nodeID, arena: arena, resources: Resources(cpus: cpus, gpus: gpus))
        state.connect(Self.driver)
        #expect(state.register(Self.driver, ClientRegistration(kind: .driver, pid: 100, jobID: Self.job, executablePath: "/bin/app")) == nil)
    }

    static func spec(_ n: UInt64, arguments: [TaskArgument] = []) -> TaskSpec {
        TaskSpec(taskID: TaskID(high: 3, low: n), jobID: job, parentTaskID: TaskID(high: 0, low: 0), functionName: "f",
                 displayName: "F\(n)", arguments: arguments, returnCount: 1, resources: Resources(cpus: 1))
    }

    @discardableResult
    mutating func record(_ actions: [NodeAction]) -> [NodeAction] {
        log += actions
        return actions
    }

    @discardableResult
    mutating func send(_ message: Message, from client: Int = driver) -> [NodeAction] {
        record(state.handle(message, from: client, now: now))
    }

    /// The tokens of the workers the node asked to start, in order.
    var spawnTokens: [UInt64] {
        log.compactMap { if case let .spawnWorker(_, _, token) = $0 { token } else { nil } }
    }

    /// Connects a worker with `token` and answers its registration; nil when the node accepts it.
    mutating func connectWorker(_ id: Int, token: UInt64, pid: Int32 = 200) -> String? {
        state.connect(id)
        if let error = state.register(id, ClientRegistration(kind: .worker, pid: pid, jobID: Self.job, workerToken: token)) {
            return error
        }
        record(state.registrationAnswered(id, now: now))
        return nil
    }

    /// The tasks sent to `worker` to run, in order.
    func tasksSent(to worker: Int) -> [TaskID] {
        log.compactMap { if case let .send(client, .executeTask(spec, _, _)) = $0, client == worker { spec.taskID } else { nil } }
    }

    /// The error stored as object `id`, if it is sealed and holds one.
    func storedError(_ id: ObjectID) -> ErrorRecord? {
        guard let (offset, size) = state.objects.lookup(id) else { return nil }
        let bytes = UnsafeRawBufferPointer(state.arena.buffer(offset: offset, count: size))
        guard (try? ObjectPayload.kind(of: bytes)) == .error else { return nil }
        return try? ObjectPayload.errorRecord(bytes)
    }
}
