import RayCore
import RayTransport

/// How one raylet runs: its node's resources and store, and where its clients reach it.
public struct RayletConfig: Sendable {
    public var nodeID: NodeID
    public var socketPath: String
    /// What every connection of the session must prove it knows.
    public var secret: SessionSecret
    public var resources: Resources
    public var storeCapacity: Int
    public var sessionDirectory: String
    /// Worker output goes to files under `<session>/logs` instead of the raylet's stdout/stderr.
    public var redirectWorkerOutput: Bool
    /// Seconds an idle worker waits for work before it is stopped.
    public var idleWorkerTimeout: Double
    /// The node's IP address, as tasks see it.
    public var nodeIP: String

    public init(nodeID: NodeID, socketPath: String, secret: SessionSecret, resources: Resources, storeCapacity: Int,
                sessionDirectory: String, redirectWorkerOutput: Bool, idleWorkerTimeout: Double = 10, nodeIP: String = "127.0.0.1") {
        self.nodeID = nodeID
        self.socketPath = socketPath
        self.secret = secret
        self.resources = resources
        self.storeCapacity = storeCapacity
        self.sessionDirectory = sessionDirectory
        self.redirectWorkerOutput = redirectWorkerOutput
        self.idleWorkerTimeout = idleWorkerTimeout
        self.nodeIP = nodeIP
    }
}
