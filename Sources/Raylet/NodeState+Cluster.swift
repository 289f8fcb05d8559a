import RayCore
import RayObjectStore

/// The node among others: tasks spilled to other nodes and taken from them, objects pulled from
/// other nodes and sent to them. A peer that uses this node is a client like a driver (its
/// connection registered with `peerHello`); the answers of the peers this node uses arrive
/// through `handlePeerReply`.
extension NodeState {
    /// How large an object's payload may be to go back inline with a forwarded task's `taskDone`.
    static let inlineResultLimit = 64 * 1024

    // MARK: The cluster as this node sees it

    mutating func peerJoined(_ info: NodeInfo, now: Double) -> [NodeAction] {
        self.now = now
        guard info.nodeID != nodeID else { return [] }
        cluster.add(info)
        var actions = [NodeAction]()
        // Objects wanted here that only that node has waited for it to be known.
        requestPulls(remote.objects(at: info.nodeID).filter { isWanted($0) }, actions: &actions)
        dispatch(actions: &actions)
        return actions
    }

    mutating func peerReported(_ node: NodeID, available: Resources, queuedTasks: Int, now: Double) -> [NodeAction] {
        self.now = now
        guard node != nodeID, cluster[node] != nil else { return [] }
        cluster.report(node, available: available, queuedTasks: queuedTasks)
        var actions = [NodeAction]()
        dispatch(actions: &actions)
        return actions
    }

    /// Another node died: the tasks forwarded to it fail, and so do the objects only it had.
    mutating func peerDied(_ node: NodeID, reason: String, now: Double) -> [NodeAction] {
        self.now = now
        let name = cluster.describe(node)
        cluster.remove(node)
        var actions = [NodeAction]()
        for (taskID, entry) in forwarded where entry.node == node {
            forwarded[taskID] = nil
            let record = ErrorRecord(kind: .nodeDied, jobID: entry.spec.jobID, taskID: taskID, functionName: entry.spec.displayName,
                                     workerPID: 0, nodeID: node, message: "\(name) died while running it: \(reason)")
            storeErrors(entry.spec.returnIDs, record, actions: &actions)
            releaseArguments(of: entry.spec)
            actions.append(.report(record))
        }
        for (actorID, host) in remoteActors where host == node { remoteActors[actorID] = nil }
        let (located, pulling) = remote.nodeDied(node)
        for id in pulling { _ = objects.abort(id) }
        for id in Set(located + pulling) where !isAvailable(id) && (objects.referenceCount(id) > 0 || isWanted(id)) {
            let record = ErrorRecord(kind: .nodeDied, jobID: JobID(0), taskID: id.task, functionName: "", workerPID: 0, nodeID: node,
                                     message: "object \(id) was on \(name), which died: \(reason)")
            storeErrors([id], record, actions: &actions)
        }
        dispatch(actions: &actions)
        checkReleasedHandles(actions: &actions)
        return actions
    }

    /// What the node reports in its heartbeat: free resources and tasks waiting here.
    var load: (available: Resources, queuedTasks: Int) {
        (scheduler.available, scheduler.readyCount + scheduler.waitingCount)
    }

    // MARK: Spillback (this node forwards)

    /// Forwards ready tasks that cannot start here to nodes with room for them, oldest first.
    /// Tasks other nodes forwarded here are never forwarded again, so a task cannot bounce.
    mutating func spillReadyTasks(actions: inout [NodeAction]) {
        while let spec = scheduler.takeFirstReady(where: { spec in
            peerTasks[spec.taskID] == nil && cluster.nodeWithRoom(for: spec.resources) != nil
        }) {
            forward(spec, to: cluster.nodeWithRoom(for: spec.resources)!, queueIfBusy: false, actions: &actions)
        }
    }

    /// Where a newly submitted task should go instead of queueing here: a node that can run it
    /// when this one never can, or the node holding most of its argument bytes when that node has
    /// room. Nil keeps it here.
    func placement(of spec: TaskSpec) -> (node: NodeID, queueIfBusy: Bool)? {
        if scheduler.infeasibility(of: spec.resources) != nil {
            return cluster.nodeThatFits(spec.resources).map { ($0, true) }
        }
        var bytes: [NodeID: Int] = [:]
        for id in spec.referencedIDs {
            if let (_, size) = objects.lookup(id) {
                bytes[nodeID, default: 0] += size
            } else if let (node, size) = remote.location(of: id) {
                bytes[node, default: 0] += max(size, 1)
            }
        }
        guard let (best, most) = bytes.max(by: { $0.value < $1.value }), best != nodeID, most > bytes[nodeID] ?? 0,
              cluster[best]?.available.covers(spec.resources) == true else { return nil }
        return (best, false)
    }

    /// Why no node of the cluster can run `request`.
    func clusterInfeasibility(of request: Resources, localReason: String) -> String {
        guard !cluster.isEmpty else { return localReason }
        let largest = cluster.peers.values.max { $0.info.resources.cpus < $1.info.resources.cpus }!
        return "it asks for \(request) but no node of the cluster has that much: this node has \(scheduler.total), "
            + "the largest other node, \(cluster.describe(largest.info.nodeID)), has \(largest.info.resources)"
    }

    /// Sends a task to another node, with where each of its arguments is. Its arguments stay
    /// pinned here and its submitter keeps holding its results until the node answers.
    mutating func forward(_ spec: TaskSpec, to node: NodeID, queueIfBusy: Bool, actions: inout [NodeAction]) {
        forwarded[spec.taskID] = (spec, node)
        if spec.actor?.kind == .creation {
            // The actor lives there; this node passes a kill on and holds its handles there.
            actors.remove(spec.taskID)
            remoteActors[spec.taskID] = node
        }
        cluster.forwarded(spec.resources, to: node)
        let hints = spec.referencedIDs.map { id -> ObjectHint in
            if let (_, size) = objects.lookup(id) { return ObjectHint(id: id, node: nodeID, size: size) }
            if let (holder, size) = remote.location(of: id) { return ObjectHint(id: id, node: holder, size: size) }
            return ObjectHint(id: id, node: nodeID, size: 0)
        }
        actions.append(.sendToPeer(node, .forwardTask(spec, executable: pool.executable(of: spec.jobID) ?? "", hints: hints,
                                                      queueIfBusy: queueIfBusy)))
    }

    /// An answer from a node this one uses.
    mutating func handlePeerReply(_ message: Message, from node: NodeID, now: Double) -> [NodeAction] {
        self.now = now
        var actions = [NodeAction]()
        switch message {
        case let .taskDone(taskID, results, _):
            guard let entry = forwarded[taskID], entry.node == node else { break }
            forwarded[taskID] = nil
            cluster.finished(entry.spec.resources, at: node)
            for result in results {
                switch result {
                case let .inline(id, payload, contained):
                    put(id, payload: payload, contained: contained, actions: &actions)
                    holdContained(contained, at: node, actions: &actions)
                    if entry.spec.actor?.kind == .creation {
                        // The node keeps the actor while this one holds its handle object there.
                        remote.hold(id, at: node)
                        if objects.referenceCount(id) == 0 { objectUnreferenced(id, actions: &actions) }
                    }
                case let .stored(id):
                    // The node keeps it for us (we are the submitter there) until we let go.
                    remote.learn(id, at: node, size: 0)
                    remote.hold(id, at: node)
                    if objects.referenceCount(id) == 0 {
                        objectUnreferenced(id, actions: &actions)
                    } else if isWanted(id) {
                        requestPulls([id], actions: &actions)
                    }
                }
            }
            releaseArguments(of: entry.spec)
        case let .taskRejected(taskID):
            guard let entry = forwarded[taskID], entry.node == node else { break }
            forwarded[taskID] = nil
            cluster.rejected(entry.spec.resources, at: node)
            if entry.spec.actor?.kind == .creation {
                remoteActors[taskID] = nil
                actors.add(creation: entry.spec)
            }
            let missing = Set(entry.spec.referencedIDs.filter { !isAvailable($0) })
            scheduler.submit(entry.spec, missing: missing)
            requestPulls(missing, actions: &actions)
        case let .objectLocated(id, size):
            guard !isAvailable(id), remote.location(of: id) == nil else { break }
            remote.learn(id, at: node, size: size)
            if isWanted(id) { requestPulls([id], actions: &actions) }
        case let .objectUnavailable(id, reason):
            guard remote.pulls[id] == node else { break }
            remote.pullEnded(id)
            _ = objects.abort(id)
            let record = ErrorRecord(kind: .objectStore, jobID: JobID(0), taskID: id.task, functionName: "", workerPID: 0, nodeID: nodeID,
                                     message: "object \(id) could not be fetched from \(cluster.describe(node)): \(reason)")
            storeErrors([id], record, actions: &actions)
        default:
            break
        }
        dispatch(actions: &actions)
        checkReleasedHandles(actions: &actions)
        return actions
    }

    // MARK: Objects from other nodes

    /// Whether a task or a waiter here (a get, a wait, another node's pull) needs `id`.
    func isWanted(_ id: ObjectID) -> Bool {
        waiters.isWaiting(for: id) || scheduler.isWaiting(for: id)
    }

    /// Asks the nodes that have them for the objects among `ids` that are elsewhere and not on
    /// their way. Results of tasks forwarded elsewhere come with the task's answer instead.
    mutating func requestPulls(_ ids: some Sequence<ObjectID>, actions: inout [NodeAction]) {
        for id in ids {
            guard !isAvailable(id), !remote.isPulling(id), forwarded[id.task] == nil else { continue }
            guard let (node, _) = remote.location(of: id) else {
                search(id, actions: &actions)
                continue
            }
            guard node != nodeID, cluster[node] != nil else { continue }
            remote.pullStarted(id, from: node)
            actions.append(.sendToPeer(node, .pullObject(id)))
        }
    }

    /// How often a search for a needed object that no node has yet is repeated.
    static let searchInterval = 1.0

    /// Asks every other node for an object needed here whose place no message told (a gap in
    /// the hints, such as a ref inside an actor's answer from another node). Not for objects
    /// this node makes (its task or its store has it under way).
    mutating func search(_ id: ObjectID, actions: inout [NodeAction]) {
        guard !cluster.isEmpty, remote.searches[id] == nil, !objects.contains(id), lineage[id.task] == nil || peerTasks[id.task] != nil
        else { return }
        remote.searchStarted(id, at: now)
        for node in cluster.peers.keys { actions.append(.sendToPeer(node, .locateObject(id))) }
    }

    /// Repeats the searches still needed (objects made later elsewhere), drops the others.
    mutating func repeatSearches(actions: inout [NodeAction]) {
        for (id, time) in remote.searches where now - time >= Self.searchInterval {
            remote.searchEnded(id)
            if !isAvailable(id) && isWanted(id) && remote.location(of: id) == nil { search(id, actions: &actions) }
        }
    }

    /// Where the first chunk of an arriving object goes.
    enum IncomingStart: Equatable {
        /// Write the chunks at this offset of the arena.
        case write(offset: Int)
        /// Drop this object's chunks (it is here already, or could not be stored).
        case discard
    }

    /// The first chunk of a pulled object arrived: space is made for all of it.
    mutating func beginIncoming(_ id: ObjectID, size: Int, contained: [ObjectID], from node: NodeID, now: Double)
        -> (start: IncomingStart, actions: [NodeAction]) {
        self.now = now
        var actions = [NodeAction]()
        if let arrival = remote.incoming[id] {
            return (arrival.discarding ? .discard : .write(offset: arrival.offset), [])
        }
        guard remote.pulls[id] == node, !isAvailable(id) else {
            remote.beginIncoming(id, RemoteObjects.Incoming(node: node, offset: 0, size: size, contained: [], discarding: true))
            return (.discard, [])
        }
        do {
            let (offset, evictedIDs) = try objects.create(id, size: size)
            recordEvicted(evictedIDs)
            evicted.remove(id)
            remote.beginIncoming(id, RemoteObjects.Incoming(node: node, offset: offset, size: size, contained: contained))
            return (.write(offset: offset), [])
        } catch {
            remote.beginIncoming(id, RemoteObjects.Incoming(node: node, offset: 0, size: size, contained: [], discarding: true))
            let record = ErrorRecord(kind: .objectStore, jobID: JobID(0), taskID: id.task, functionName: "", workerPID: 0, nodeID: nodeID,
                                     message: "object \(id) (\(size) bytes) from \(cluster.describe(node)) cannot be stored on this node: \(error)")
            storeErrors([id], record, actions: &actions)
            return (.discard, actions)
        }
    }

    /// `count` more bytes of an arriving object are written; the last ones seal it.
    mutating func incomingWritten(_ id: ObjectID, count: Int, now: Double) -> [NodeAction] {
        self.now = now
        guard let arrival = remote.received(count, of: id), arrival.received >= arrival.size else { return [] }
        var actions = [NodeAction]()
        remote.pullEnded(id)
        if !arrival.discarding, (try? objects.seal(id, containedIDs: arrival.contained)) != nil {
            // What the object refers to is held on the node it came from while this copy holds it.
            let elsewhere = arrival.contained.filter { !isAvailable($0) && remote.location(of: $0) == nil }
            for contained in elsewhere {
                remote.learn(contained, at: arrival.node, size: 0)
                remote.hold(contained, at: arrival.node)
            }
            if !elsewhere.isEmpty { actions.append(.sendToPeer(arrival.node, .addReferences(elsewhere))) }
            objectSealed(id, actions: &actions)
        }
        // The sender pinned the object while it sent it.
        actions.append(.sendToPeer(arrival.node, .releaseObjects([id])))
        checkReleasedHandles(actions: &actions)
        return actions
    }

    /// The node that sent an inline result holds for this node the objects the result refers to
    /// (see `returnToPeerIfDone`): they are on that node, and held there while anything here
    /// refers to them. A hold this node already had there, or one for an object it has, goes back.
    mutating func holdContained(_ contained: [ObjectID], at node: NodeID, actions: inout [NodeAction]) {
        guard !contained.isEmpty else { return }
        var extra = [ObjectID]()
        for id in contained {
            if isAvailable(id) || remote.heldAt[id] != nil {
                extra.append(id)
                continue
            }
            if remote.location(of: id) == nil { remote.learn(id, at: node, size: 0) }
            remote.hold(id, at: node)
            if objects.referenceCount(id) == 0 { objectUnreferenced(id, actions: &actions) }
        }
        if !extra.isEmpty { actions.append(.sendToPeer(node, .removeReferences(extra))) }
    }

    /// Nothing here refers to `id` any more: nothing here can ask for it again, so where it is
    /// elsewhere is forgotten, and a hold this node had on another node for it goes.
    mutating func objectUnreferenced(_ id: ObjectID, actions: inout [NodeAction]) {
        guard !isWanted(id) else { return }
        remote.forget(id)
        guard remote.holdsRemotely, let node = remote.release(id) else { return }
        actions.append(.sendToPeer(node, .removeReferences([id])))
    }

    // MARK: Other nodes' requests (this node serves)

    mutating func peerConnected(_ id: Int, node: NodeID) {
        clients[id]?.peerNode = node
    }

    mutating func handleFromPeer(_ message: Message, from id: Int, node: NodeID) -> [NodeAction] {
        var actions = [NodeAction]()
        switch message {
        case let .forwardTask(spec, executable, hints, queueIfBusy):
            acceptForwarded(spec, executable: executable, hints: hints, queueIfBusy: queueIfBusy, from: id, actions: &actions)
        case let .pullObject(objectID):
            if !isAvailable(objectID) { requestPulls([objectID], actions: &actions) }
            startWaiter(ObjectWaiter(client: id, request: 0, ids: [objectID], kind: .pull), actions: &actions)
        case let .releaseObjects(ids), let .removeReferences(ids):
            removeReferences(ids, client: id)
        case let .addReferences(ids):
            addReferences(ids, client: id)
        case let .killActor(actorID):
            killActor(actorID, actions: &actions)
        case let .locateObject(objectID):
            if let (_, size) = objects.lookup(objectID), objects.isSealed(objectID) {
                actions.append(.send(client: id, .objectLocated(id: objectID, size: size)))
            } else if let payload = outsideObjects[objectID] {
                actions.append(.send(client: id, .objectLocated(id: objectID, size: payload.count)))
            }
        default:
            break
        }
        checkReleasedHandles(actions: &actions)
        return actions
    }

    private mutating func acceptForwarded(_ spec: TaskSpec, executable: String, hints: [ObjectHint], queueIfBusy: Bool, from id: Int,
                                          actions: inout [NodeAction]) {
        let busy = !scheduler.available.covers(spec.resources) || scheduler.firstReady(shape: spec.resources) != nil
        if (busy && !queueIfBusy) || scheduler.infeasibility(of: spec.resources) != nil && !queueIfBusy {
            actions.append(.send(client: id, .taskRejected(spec.taskID)))
            return
        }
        pool.addJob(spec.jobID, executable: executable)
        addReferences(spec.returnIDs, client: id)
        peerTasks[spec.taskID] = id
        lineage[spec.taskID] = spec
        if spec.actor?.kind == .creation { actors.add(creation: spec) }
        if let reason = scheduler.infeasibility(of: spec.resources) {
            let record = ErrorRecord(kind: .infeasible, jobID: spec.jobID, taskID: spec.taskID, functionName: spec.displayName,
                                     workerPID: 0, nodeID: nodeID, message: reason)
            storeErrors(spec.returnIDs, record, actions: &actions)
            return
        }
        for hint in hints where hint.node != nodeID && !isAvailable(hint.id) && remote.location(of: hint.id) == nil {
            remote.learn(hint.id, at: hint.node, size: hint.size)
        }
        var missing = Set<ObjectID>()
        for argument in spec.referencedIDs {
            objects.addReference(argument)
            if !isAvailable(argument) { missing.insert(argument) }
        }
        scheduler.submit(spec, missing: missing)
        requestPulls(missing, actions: &actions)
        dispatch(actions: &actions)
    }

    /// A result of a task another node forwarded here is stored: once all are, they go back to
    /// that node, small ones inline (its hold on them here then ends), large ones by ID (it
    /// pulls them when it needs them, and holds them here until it lets go).
    mutating func returnToPeerIfDone(_ taskID: TaskID, actions: inout [NodeAction]) {
        guard let peer = peerTasks[taskID], let spec = lineage[taskID], spec.returnIDs.allSatisfy({ isAvailable($0) }) else { return }
        peerTasks[taskID] = nil
        guard clients[peer] != nil else { return }
        var results = [ReturnValue]()
        var sentInline = [ObjectID]()
        // An actor lives while the node that created it holds its handle object here.
        let keepHeld = spec.actor?.kind == .creation
        for id in spec.returnIDs {
            if let (offset, size) = objects.lookup(id), size <= Self.inlineResultLimit {
                let payload = [UInt8](arena.buffer(offset: offset, count: size))
                let contained = objects.containedIDs(of: id)
                // This copy goes; what it refers to is held for the peer until it lets go.
                addReferences(contained, client: peer)
                results.append(.inline(id: id, payload: payload, contained: contained))
                if !keepHeld { sentInline.append(id) }
            } else if let payload = outsideObjects[id] {
                results.append(.inline(id: id, payload: payload, contained: []))
                sentInline.append(id)
            } else {
                results.append(.stored(id: id))
            }
        }
        actions.append(.send(client: peer, .taskDone(taskID: taskID, results: results, error: nil)))
        removeReferences(sentInline, client: peer)
    }

    /// Answers another node's pull: the object's bytes go out in chunks, pinned for that node
    /// until it says it has them.
    mutating func sendObject(_ id: ObjectID, to peer: Int, actions: inout [NodeAction]) {
        addReference(id, client: peer)
        if let (offset, size) = objects.lookup(id) {
            objects.touch(id)
            actions.append(.sendObject(client: peer, id: id, offset: offset, size: size, contained: objects.containedIDs(of: id)))
        } else if let payload = outsideObjects[id] {
            actions.append(.send(client: peer, .objectChunk(id: id, totalSize: payload.count, offset: 0, contained: [], bytes: payload)))
        } else {
            removeReference(id, client: peer)
            actions.append(.send(client: peer, .objectUnavailable(id: id, reason: "it is no longer on \(nodeID)")))
        }
    }

    /// A peer that used this node is gone: its queued tasks go (running ones finish unheard).
    mutating func peerClientGone(_ id: Int) {
        for (taskID, client) in peerTasks where client == id {
            peerTasks[taskID] = nil
            if let spec = scheduler.remove(taskID) { releaseArguments(of: spec) }
        }
    }
}
