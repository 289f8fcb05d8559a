import RayCore
import RayTransport

/// How one raylet runs: its node's resources and store, where it listens, and where the
/// control store is.
public struct RayletConfig: Sendable {
    public var nodeID: NodeID
    public var socketPath: String
    public var gcsSocketPath: String
    /// What every connection of the session must prove it knows.
    public var secret: SessionSecret
    public var resources: Resources
    public var storeCapacity: Int
    public var sessionDirectory: String
    /// Worker output goes to files under `<session>/logs` instead of the raylet's stdout/stderr.
    public var redirectWorkerOutput: Bool
    /// Seconds an idle worker waits for work before it is stopped.
    public var idleWorkerTimeout: Double

    public init(nodeID: NodeID, socketPath: String, gcsSocketPath: String, secret: SessionSecret, resources: Resources, storeCapacity: Int,
                sessionDirectory: String, redirectWorkerOutput: Bool, idleWorkerTimeout: Double = 10) {
        self.nodeID = nodeID
        self.socketPath = socketPath
        self.gcsSocketPath = gcsSocketPath
        self.secret = secret
        self.resources = resources
        self.storeCapacity = storeCapacity
        self.sessionDirectory = sessionDirectory
        self.redirectWorkerOutput = redirectWorkerOutput
        self.idleWorkerTimeout = idleWorkerTimeout
    }
}
