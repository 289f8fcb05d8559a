import Glibc
import RayCore

/// A connection-level failure: the peer went away, a syscall failed, or a frame did not parse.
public enum TransportError: Error, CustomStringConvertible, Sendable {
    case system(String, Int32)
    case closed
    case invalidAddress(String)
    case frameTooLarge(Int)
    case malformed(WireError)
    /// The peer did not prove that it belongs to the session.
    case unauthenticated(String)
    /// The service's receive buffers hold all they may (`ReceiveBudget`).
    case receiveBudgetExhausted(frame: Int, available: Int)
    /// Another socket listens on that TCP address already.
    case addressInUse(NetworkAddress)
    /// A TCP connection could not be made.
    case connectFailed(NetworkAddress, ConnectFailure)
    /// Descriptors pass only over Unix sockets (`SCM_RIGHTS`); this connection is TCP.
    case descriptorPassingNeedsUnixSocket

    /// Why a TCP connection could not be made.
    public enum ConnectFailure: Sendable, Equatable {
        /// Nothing listens on that port (the host answered with a reset).
        case refused
        /// No route to the host or its network (`EHOSTUNREACH`, `ENETUNREACH`).
        case unreachable(Int32)
        /// Nothing answered within the timeout: the host is down or a firewall drops packets.
        case timedOut(seconds: Double)
        case system(Int32)
    }

    public var description: String {
        switch self {
        case let .system(call, code): "\(call) failed: \(String(cString: strerror(code)))"
        case .closed: "connection closed by peer"
        case let .invalidAddress(what): what
        case let .frameTooLarge(size): "frame of \(size) bytes exceeds the limit"
        case let .malformed(error): error.description
        case let .unauthenticated(why): "connection refused: \(why)"
        case let .receiveBudgetExhausted(frame, available):
            "a frame of \(frame) bytes does not fit in what the service's receive buffers may still take (\(available) bytes)"
        case let .addressInUse(address): "cannot listen on \(address): the address is in use (another process listens on that port)"
        case let .connectFailed(address, .refused): "connection to \(address) refused: nothing listens on that port"
        case let .connectFailed(address, .unreachable(code)): "\(address) is unreachable: \(String(cString: strerror(code)))"
        case let .connectFailed(address, .timedOut(seconds)): "connecting to \(address) timed out after \(seconds) s"
        case let .connectFailed(address, .system(code)): "connecting to \(address) failed: \(String(cString: strerror(code)))"
        case .descriptorPassingNeedsUnixSocket: "descriptors can be sent only over a Unix socket, not over TCP"
        }
    }
}
