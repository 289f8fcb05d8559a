import RayCore

/// Something the node's state machine asks the raylet to do once the state lock is released:
/// I/O never happens while the lock is held, so a slow peer cannot stall the node. Clients are
/// named by the IDs the raylet gave their connections, so the state machine holds no sockets
/// and runs in unit tests as it is.
enum NodeAction: Equatable {
    case send(client: Int, Message)
    /// Start a worker process for `job`; it proves it is that process with `token`.
    case spawnWorker(job: JobID, executable: String, token: UInt64)
    case report(ErrorRecord)
    case stopWorker(client: Int)
    /// SIGKILL, for killing an actor: its process may be busy and never read a `shutdown`.
    case killWorker(client: Int, pid: Int32)
    /// The actor's worker is gone: its socket file goes too.
    case removeActorSocket(TaskID)
    /// Send on this node's connection to another node.
    case sendToPeer(NodeID, Message)
    /// Stream an object's bytes from the arena to a peer's connection in `objectChunk`s (the
    /// object is pinned for the peer until it answers `releaseObjects`).
    case sendObject(client: Int, id: ObjectID, offset: Int, size: Int, contained: [ObjectID])
}
