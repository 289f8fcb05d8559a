import Glibc
import RayCore

/// What differs between a listener on a Unix socket (the processes of one machine) and one on
/// TCP (the machines of a cluster): how a connection is accepted, how its peer proves it belongs,
/// and what closing leaves behind. The rest of `Listener` is the same for both.
enum ListenerEndpoint: Sendable, CustomStringConvertible {
    /// Peers of this user that know the session's secret (`Handshake`).
    case unix(path: String, secret: SessionSecret)
    /// Peers that know the cluster's token (`TokenHandshake`); `address` has the real port.
    case tcp(address: NetworkAddress, token: ClusterToken)

    func accept(_ listener: Int32) -> Result<Int32, AcceptError> {
        switch self {
        case .unix: UnixSocket.accept(listener)
        case .tcp: TCPSocket.accept(listener)
        }
    }

    func authenticate(_ fd: Int32, timeout: Double) throws(TransportError) {
        switch self {
        case let .unix(_, secret): try Handshake.authenticate(fd: fd, secret: secret, timeout: timeout)
        case let .tcp(_, token): try TokenHandshake.authenticate(fd: fd, token: token, timeout: timeout)
        }
    }

    /// After the listening socket is closed: a Unix socket's file goes; a TCP port leaves nothing.
    func removeTraces() {
        if case let .unix(path, _) = self { unlink(path) }
    }

    var description: String {
        switch self {
        case let .unix(path, _): path
        case let .tcp(address, _): "tcp \(address)"
        }
    }
}
