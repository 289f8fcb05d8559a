/// Every environment variable through which a Ray process configures the processes it starts
/// (services and workers), or a user tunes one. The C load-time hook in `CRaySupport` reads
/// `processMode` by the same literal, as C cannot see this type.
public enum RayEnvironmentKey {
    /// `worker`, `gcs` or `raylet`: the program runs as that Ray process instead of its `main`.
    public static let processMode = "RAY_PROCESS_MODE"
    /// The hex session secret every connection of the session authenticates with.
    public static let sessionSecret = "RAY_SESSION_SECRET"
    public static let sessionDirectory = "RAY_SESSION_DIR"
    public static let gcsSocket = "RAY_GCS_SOCKET"
    public static let rayletSocket = "RAY_RAYLET_SOCKET"
    /// The read end of the pipe whose end-of-file tells a service that its driver is gone.
    public static let lifelineFD = "RAY_LIFELINE_FD"
    /// Where a service writes one byte once it listens.
    public static let readyFD = "RAY_READY_FD"
    public static let nodeID = "RAY_NODE_ID"
    public static let resources = "RAY_RESOURCES"
    public static let storeCapacity = "RAY_STORE_CAPACITY"
    public static let redirectOutput = "RAY_REDIRECT_OUTPUT"
    public static let idleWorkerTimeout = "RAY_IDLE_WORKER_TIMEOUT"
    /// A worker's proof that the raylet started it (one use, for one job).
    public static let workerToken = "RAY_WORKER_TOKEN"
    public static let jobID = "RAY_JOB_ID"
    /// The IP address of the node a process runs on (`Ray.nodeIPAddress` in tasks).
    public static let nodeIP = "RAY_NODE_IP"
    /// `ip:port` of a multi-node cluster's control store (TCP), for its services and workers.
    public static let gcsAddress = "RAY_GCS_ADDRESS"
    /// The hex cluster token, which every TCP connection of the cluster proves it knows.
    public static let clusterToken = "RAY_CLUSTER_TOKEN"
    /// The TCP port a raylet of a multi-node cluster listens on for other raylets (0: any).
    public static let peerPort = "RAY_PEER_PORT"
    /// Seconds without a heartbeat after which the control store declares a node dead.
    public static let nodeDeathTimeout = "RAY_NODE_DEATH_TIMEOUT"
    /// Set by the user: `ip:port` of the cluster a driver joins instead of starting its own.
    public static let address = "RAY_ADDRESS"
    /// Set by the user: the file holding the cluster token (mode 0600), for a driver that joins.
    public static let clusterTokenFile = "RAY_CLUSTER_TOKEN_FILE"
    /// Set by the user: where session directories go (default `/tmp`; they go in `<it>/ray`).
    public static let temporaryDirectory = "RAY_TMPDIR"
    /// Set by the user: the level of Ray's logs, `trace` … `critical` (see `RayLogging`).
    public static let logLevel = "RAY_LOG_LEVEL"
    /// Set by the user: the busy-poll budget in microseconds (see `BusyPoll`).
    public static let busyPollMicroseconds = "RAY_BUSY_POLL_US"
}
