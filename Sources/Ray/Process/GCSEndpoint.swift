import RayCore
import RayTransport

/// Where a process reaches the control store: a Unix socket of a private single-machine
/// cluster (proven with the session's secret), or the TCP address of a cluster started with
/// `ray start` (proven with the cluster's token).
enum GCSEndpoint: Sendable {
    case unix(path: String)
    case tcp(NetworkAddress, ClusterToken)

    func connect(secret: SessionSecret) throws -> FramedConnection {
        switch self {
        case let .unix(path): try FramedConnection.connect(path: path, secret: secret)
        case let .tcp(address, token): try FramedConnection.connect(to: address, token: token)
        }
    }

    /// The endpoint a worker's raylet gave it in its environment, if any.
    static func fromEnvironment(_ environment: [String: String]) throws -> GCSEndpoint? {
        if let address = environment[RayEnvironmentKey.gcsAddress] {
            return .tcp(try NetworkAddress(parsing: address), ServiceMain.clusterToken(environment))
        }
        return environment[RayEnvironmentKey.gcsSocket].map { .unix(path: $0) }
    }
}
