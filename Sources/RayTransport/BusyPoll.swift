import Foundation
import Glibc
import RayCore

/// How long a reader polls its socket before it sleeps in `recv`. Waking a thread that sleeps
/// costs 20-40 µs on a virtual machine with idle vCPUs, several times the work of a small task,
/// and a request/answer chain pays it at every hop; a reader that expects the next frame soon
/// keeps its CPU awake by polling instead, yielding the CPU at each turn so that runnable threads
/// are not starved. A reader whose last sleep was long expects nothing soon and does not poll,
/// so an idle cluster uses no CPU.
public struct BusyPoll: Sendable {
    /// The process-wide setting: `RAY_BUSY_POLL_US` microseconds (0 turns polling off), default 250.
    public static let process = BusyPoll(microseconds: ProcessInfo.processInfo.environment[RayEnvironmentKey.busyPollMicroseconds].flatMap(UInt64.init) ?? 250)

    /// The longest poll, in nanoseconds.
    public let budget: UInt64

    public init(microseconds: UInt64) {
        budget = microseconds * 1000
    }

    /// Whether a reader whose previous sleep lasted `lastSleep` nanoseconds should poll first:
    /// after a long sleep the peer is not in a quick exchange with us.
    func worthPolling(afterSleeping lastSleep: UInt64) -> Bool {
        budget > 0 && lastSleep <= 4 * budget
    }

    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
