import Glibc

/// Minimal line logging for services to stderr (which the starting process may redirect to a
/// file in the session directory).
public struct ServiceLog: Sendable {
    public let component: String

    public init(component: String) { self.component = component }

    public func warning(_ message: @autoclosure () -> String) { emit("WARN", message()) }

    private func emit(_ level: String, _ message: String) {
        let line = "[ray \(component) pid=\(getpid())] \(level) \(message)\n"
        var bytes = Array(line.utf8)
        _ = write(2, &bytes, bytes.count)
    }
}
