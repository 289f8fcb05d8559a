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
    public static let defaultMicroseconds: UInt64 = 250
    /// The longest budget accepted: polling for longer than a second would only burn CPU.
    public static let maxMicroseconds: UInt64 = 1_000_000

    /// The process-wide setting: `RAY_BUSY_POLL_US` microseconds (0 turns polling off), default
    /// 250. A bad value falls back to the default here; `Ray.start` refuses it first, with
    /// `fromEnvironment`'s message.
    public static let process = (try? fromEnvironment()) ?? BusyPoll(microseconds: defaultMicroseconds)

    /// The setting `RAY_BUSY_POLL_US` asks for; throws a message naming the variable when it is
    /// not a whole number of microseconds from 0 to `maxMicroseconds`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(BusyPollSettingError)
        -> BusyPoll {
        guard let text = environment[RayEnvironmentKey.busyPollMicroseconds] else { return BusyPoll(microseconds: defaultMicroseconds) }
        guard let microseconds = UInt64(text), microseconds <= maxMicroseconds else {
            throw BusyPollSettingError(value: text)
        }
        return BusyPoll(microseconds: microseconds)
    }

    /// The longest poll, in nanoseconds.
    public let budget: UInt64

    public init(microseconds: UInt64) {
        budget = min(microseconds, Self.maxMicroseconds) * 1000
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

/// `RAY_BUSY_POLL_US` holds something other than a budget in microseconds.
public struct BusyPollSettingError: Error, CustomStringConvertible {
    public let value: String

    public var description: String {
        "\(RayEnvironmentKey.busyPollMicroseconds)=\(value) is not a whole number of microseconds from 0 to \(BusyPoll.maxMicroseconds)"
    }
}
