import RayCore
import RayTransport
import Synchronization

/// Sends this process's actor method calls straight to each actor's worker, over one connection
/// per actor, and takes the results that come back on it. Neither the call nor its answer passes
/// through the raylet; the raylet only stores the results (for whoever else asks) and counts
/// their holders.
///
/// Calls made before the actor is reachable (its creation still running) wait here, in order,
/// and go out when the connection opens; if the actor never becomes reachable, or its connection
/// closes, the calls waiting or in flight get "actor died" error objects.
final class ActorCallRouter: Sendable {
    /// What the router needs from its process.
    struct Services: Sendable {
        /// Waits until the actor can take calls and connects to it; throws the reason it cannot.
        let connect: @Sendable (_ actorID: TaskID) async throws -> FramedConnection
        /// Keeps the results that arrived from actors where a `get` finds them, and queues them
        /// for the node's store.
        let keep: @Sendable (_ results: [(actorID: TaskID, values: [ReturnValue])]) -> Void
        /// Sends what is queued for the node's store now.
        let flush: @Sendable () -> Void
        let nodeID: NodeID
    }

    /// A call not answered yet, and the hold on the objects its arguments refer to, which ends
    /// with it.
    private struct Call {
        let spec: TaskSpec
        let arguments: ReferenceHolder?
    }

    private struct State {
        /// Open connections, by actor.
        var connections: [TaskID: FramedConnection] = [:]
        /// Calls waiting for their actor's connection to open, in order; an actor is opening
        /// while it has an entry.
        var waiting: [TaskID: [Call]] = [:]
        /// Why an actor cannot be called any more.
        var unreachable: [TaskID: String] = [:]
        /// Calls sent and not answered yet, with the actor they went to.
        var inFlight: [TaskID: (actorID: TaskID, call: Call)] = [:]
        /// Results on their way, and the `get`s waiting for them.
        var awaited: [ObjectID: [ArrivalWaiter]] = [:]
        var closed = false
    }

    private let services: Services
    private let state = Mutex(State())

    init(services: Services) {
        self.services = services
    }

    /// Sends one call (or queues it while its actor's connection opens). Its results arrive
    /// through `Services.keep`; `arguments` is released then.
    func call(_ spec: TaskSpec, keepingAlive arguments: ReferenceHolder?) {
        guard let actorID = spec.actor?.actorID else { return }
        let call = Call(spec: spec, arguments: arguments)
        enum Route {
            case send(FramedConnection)
            case open
            case queued
            case fail(String)
        }
        let route = state.withLock { state -> Route in
            if state.closed { return .fail("this process is shutting down") }
            if let reason = state.unreachable[actorID] { return .fail(reason) }
            for id in spec.returnIDs { state.awaited[id] = [] }
            if state.waiting[actorID] != nil {
                state.waiting[actorID]!.append(call)
                return .queued
            }
            if let connection = state.connections[actorID] {
                state.inFlight[spec.taskID] = (actorID, call)
                return .send(connection)
            }
            state.waiting[actorID] = [call]
            return .open
        }
        switch route {
        case let .send(connection):
            do {
                try connection.send(.executeTask(spec, arguments: [], gpuIDs: []))
            } catch {
                fail([spec.taskID], of: actorID, reason: "died: the connection to it broke: \(error)")
            }
        case .open:
            Task { await open(actorID) }
        case .queued:
            break
        case let .fail(reason):
            deliverFailures([spec], of: actorID, reason: reason)
        }
    }

    /// Whether any of `ids` is a result still on its way from an actor.
    func awaitsAny(of ids: [ObjectID]) -> Bool {
        state.withLock { state in !state.awaited.isEmpty && ids.contains { state.awaited[$0] != nil } }
    }

    /// Waits until those of `ids` that are on their way from actors have arrived: polls for up to
    /// `budget` nanoseconds, then suspends unless `park` is false. Returns whether all arrived;
    /// when not, the caller asks the raylet, so they are sent to it as soon as they arrive.
    func awaitArrival(of ids: [ObjectID], pollingFor budget: UInt64, park: Bool) async -> Bool {
        let waiter = ArrivalWaiter()
        let expected = state.withLock { state -> Int in
            for id in ids where state.awaited[id] != nil {
                state.awaited[id]!.append(waiter)
                waiter.remaining += 1
            }
            return waiter.remaining
        }
        guard expected > 0 else { return true }
        if waiter.arrival.poll(for: budget) { return true }
        guard park else {
            waiter.waitsAtRaylet.store(true, ordering: .releasing)
            return false
        }
        // A cancelled caller stops waiting here; the raylet request that follows throws.
        _ = try? await withTaskCancellationHandler {
            try await waiter.arrival.value(pollingFor: 0)
        } onCancel: {
            waiter.arrival.resolve(.failure(CancellationError()))
        }
        return true
    }

    /// Makes those of `ids` still on their way go to the raylet as soon as they arrive: this
    /// process is about to wait for them there (`wait`).
    func storeOnArrival(_ ids: [ObjectID]) {
        let waiter = ArrivalWaiter()
        waiter.waitsAtRaylet.store(true, ordering: .releasing)
        state.withLock { state in
            for id in ids where state.awaited[id] != nil { state.awaited[id]!.append(waiter) }
        }
    }

    /// Closes every actor connection; calls in flight fail.
    func close() {
        let connections = state.withLock { state in
            state.closed = true
            return Array(state.connections.values)
        }
        for connection in connections { connection.close() }
    }

    // MARK: Opening

    private func open(_ actorID: TaskID) async {
        let connection: FramedConnection
        do {
            connection = try await services.connect(actorID)
        } catch {
            unreachable(actorID, reason: "cannot be reached: \(error)")
            return
        }
        startReading(connection, of: actorID)
        // Calls made while this sends the waiting ones join the queue, so the order holds.
        while true {
            let batch = state.withLock { state -> [Call]? in
                guard state.unreachable[actorID] == nil else { return nil }
                let waiting = state.waiting[actorID] ?? []
                if waiting.isEmpty {
                    state.waiting[actorID] = nil
                    state.connections[actorID] = connection
                    return nil
                }
                state.waiting[actorID] = []
                for call in waiting { state.inFlight[call.spec.taskID] = (actorID, call) }
                return waiting
            }
            guard let batch else { return }
            do {
                try connection.send(batch.map { .executeTask($0.spec, arguments: [], gpuIDs: []) })
            } catch {
                // The reader sees the connection close and fails what is in flight.
                return
            }
        }
    }

    /// Reads the actor's answers. This reader never runs user code, so it never blocks writing
    /// to the actor (calls go out from other threads): the actor's writes of answers always
    /// drain, and neither side can wait for the other with a full socket buffer.
    private func startReading(_ connection: FramedConnection, of actorID: TaskID) {
        let pid = UnixSocket.peerProcessID(connection.fd)
        FramedConnection.startThread(name: "ray actor client") { [self] in
            connection.readLoop(onMessages: { messages in
                received(messages, from: actorID)
            }, onClose: { _ in
                let worker = pid.map { "its worker process (pid \($0))" } ?? "its worker process"
                unreachable(actorID, reason: "died: \(worker) was killed or exited")
                connection.close()
            })
        }
    }

    // MARK: Results

    private func received(_ messages: [Message], from actorID: TaskID) {
        var results = [(actorID: TaskID, values: [ReturnValue])]()
        state.withLock { state in
            for case let .taskDone(taskID, values, _) in messages where state.inFlight.removeValue(forKey: taskID) != nil {
                results.append((actorID, values))
            }
        }
        arrived(results)
    }

    /// Keeps `results`, then wakes the `get`s that waited for them.
    private func arrived(_ results: [(actorID: TaskID, values: [ReturnValue])]) {
        guard !results.isEmpty else { return }
        services.keep(results)
        let (woken, askedRaylet) = state.withLock { state -> ([ArrivalWaiter], Bool) in
            var woken = [ArrivalWaiter]()
            var askedRaylet = false
            for (_, values) in results {
                for value in values {
                    for waiter in state.awaited.removeValue(forKey: value.id) ?? [] {
                        waiter.remaining -= 1
                        if waiter.remaining == 0 { woken.append(waiter) }
                        askedRaylet = askedRaylet || waiter.waitsAtRaylet.load(ordering: .acquiring)
                    }
                }
            }
            return (woken, askedRaylet)
        }
        for waiter in woken { waiter.arrival.resolve(.success(())) }
        // Someone here waits for these at the raylet: it must not wait for the next batch.
        if askedRaylet { services.flush() }
    }

    /// The actor cannot be called any more: its waiting and in-flight calls fail, and so will
    /// later ones.
    private func unreachable(_ actorID: TaskID, reason: String) {
        let failed = state.withLock { state -> [TaskSpec] in
            state.unreachable[actorID] = reason
            state.connections[actorID] = nil
            var failed = (state.waiting.removeValue(forKey: actorID) ?? []).map(\.spec)
            let sent = state.inFlight.filter { $0.value.actorID == actorID }
            for (taskID, entry) in sent {
                state.inFlight[taskID] = nil
                failed.append(entry.call.spec)
            }
            return failed
        }
        deliverFailures(failed, of: actorID, reason: reason)
    }

    /// The actor's class from a method's display name (`Counter.increment()` → `Counter`).
    static func className(of spec: TaskSpec) -> String {
        let name = spec.displayName.prefix { $0 != "(" }
        guard let dot = name.lastIndex(of: ".") else { return String(name) }
        return String(name[..<dot])
    }

    private func fail(_ taskIDs: [TaskID], of actorID: TaskID, reason: String) {
        let failed = state.withLock { state in taskIDs.compactMap { state.inFlight.removeValue(forKey: $0)?.call.spec } }
        deliverFailures(failed, of: actorID, reason: reason)
    }

    /// Makes each call's results an error that names the actor, its class and what happened to
    /// it: `reason` reads after "actor Counter 0123…".
    private func deliverFailures(_ calls: [TaskSpec], of actorID: TaskID, reason: String) {
        arrived(calls.map { spec in
            let record = ErrorRecord(kind: .actorDied, jobID: spec.jobID, taskID: spec.taskID, functionName: spec.displayName,
                                     workerPID: 0, nodeID: services.nodeID,
                                     message: "actor \(Self.className(of: spec)) \(actorID.hex) \(reason)")
            let payload = ObjectPayload.error(record)
            return (actorID, spec.returnIDs.map { ReturnValue.inline(id: $0, payload: payload, contained: []) })
        })
    }
}

/// One `get` waiting for results on their way from actors.
final class ArrivalWaiter: @unchecked Sendable {
    /// How many of its results have not arrived; changed only under the router's lock.
    var remaining = 0
    /// It stopped waiting here and asked the raylet instead.
    let waitsAtRaylet = Atomic<Bool>(false)
    /// Resolved when the last of its results has arrived.
    let arrival = PolledReply<Void>()
}
