import Foundation
import Glibc

/// The pipe that ties a service's life to the process that started it: when the parent exits for
/// any reason (even SIGKILL) the kernel closes its end, our read sees end-of-file, and we stop.
public enum Lifeline {
    /// Calls `onParentGone` on a background thread once `fd` reaches end-of-file.
    public static func watch(fd: Int32, onParentGone: @escaping @Sendable () -> Void) {
        let thread = Thread {
            var byte: UInt8 = 0
            while true {
                let n = read(fd, &byte, 1)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
            }
            onParentGone()
        }
        thread.name = "lifeline"
        thread.start()
    }

    /// Tells the parent waiting on `fd` that this service is listening.
    public static func signalReady(fd: Int32) {
        var byte: UInt8 = 1
        _ = write(fd, &byte, 1)
        close(fd)
    }
}
