import RayCore
import RayTransport

/// Something the node's state machine asks the raylet to do once the state lock is released:
/// I/O never happens while the lock is held, so a slow peer cannot stall the node.
enum NodeAction {
    case send(FramedConnection, Message)
    case spawnWorker(job: JobID, executable: String)
    case report(ErrorRecord)
    case stopWorker(FramedConnection)
    /// SIGKILL, for killing an actor: its process may be busy and never read a `shutdown`.
    case killWorker(FramedConnection, pid: Int32)
}
