import CRaySupport
import Foundation

/// Notices that the peer of a socket went away without reading from it, for a process whose
/// reader thread may be busy for a long time (a worker running a task on it).
public enum HangupWatch {
    /// Calls `onHangup` on a background thread once the peer of `fd` has closed its end.
    public static func start(fd: Int32, onHangup: @escaping @Sendable () -> Void) {
        let thread = Thread {
            _ = cray_wait_for_hangup(fd)
            onHangup()
        }
        thread.name = "hangup watch"
        thread.stackSize = 64 << 10
        thread.start()
    }
}
