/// Where a session's files live inside its directory: one place names them for the driver that
/// makes the directory, the services that listen in it and the raylet that cleans up after
/// actors.
public struct SessionLayout: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    public var gcsSocket: String { directory + "/gcs.sock" }
    public var rayletSocket: String { directory + "/raylet.sock" }
    /// Service and worker output, with `RayOptions(redirectOutput: true)`; kept after the session.
    public var logs: String { directory + "/logs" }
    /// What `ray start` started on this machine (`NodeRecord`): how drivers join, what `ray stop` stops.
    public var nodeRecord: String { directory + "/node.json" }
    /// The cluster token a head node made (mode 0600): other nodes and drivers need a copy.
    public var clusterToken: String { directory + "/cluster_token" }
    /// The programs a head node's control store keeps for other nodes, by hash (mode 0700).
    public var executables: String { directory + "/executables" }

    /// Where the worker hosting an actor listens for its callers: callers derive it from the
    /// actor's ID alone.
    public func actorSocket(_ actorID: TaskID) -> String { "\(directory)/a\(actorID.hex).sock" }
}
