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
        }
    }
}
