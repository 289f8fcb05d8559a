/// Failures of the Ray API itself, as opposed to a failing task (`TaskError`).
public enum RayError: Error, CustomStringConvertible, Sendable, Equatable {
    /// No cluster was started or connected in this process.
    case notStarted
    /// The cluster this handle or ref belonged to was shut down.
    case shutDown
    /// A value could not be encoded or decoded; the message names the type.
    case serialization(String)
    /// The object store refused an object (too large, or full of pinned objects).
    case objectStore(String)
    /// The call's arguments were wrong (e.g. duplicate refs passed to `wait`).
    case invalidArgument(String)
    /// A system call or a service failed.
    case system(String)

    public var description: String {
        switch self {
        case .notStarted: "Ray is not started: call Ray.start() first"
        case .shutDown: "the Ray cluster this object belongs to has been shut down"
        case let .serialization(message): "serialization failed: \(message)"
        case let .objectStore(message): "object store: \(message)"
        case let .invalidArgument(message): "invalid argument: \(message)"
        case let .system(message): message
        }
    }
}
