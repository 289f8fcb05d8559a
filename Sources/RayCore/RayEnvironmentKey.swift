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
    /// Set by the user: where session directories go (default `/tmp`; they go in `<it>/ray`).
    public static let temporaryDirectory = "RAY_TMPDIR"
    /// Set by the user: the level of Ray's logs, `trace` … `critical` (see `RayLogging`).
    public static let logLevel = "RAY_LOG_LEVEL"
    /// Set by the user: the busy-poll budget in microseconds (see `BusyPoll`).
    public static let busyPollMicroseconds = "RAY_BUSY_POLL_US"
}
