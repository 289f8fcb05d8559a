import Synchronization

/// The bytes that all the connections of one service may hold in receive buffers beyond the
/// small buffer each starts with. One frame is bounded by `FramedConnection.maxFrameSize`; this
/// bounds them together, so many peers each sending a large frame at once cannot exhaust the
/// machine's memory: a connection whose buffer cannot grow is closed.
public final class ReceiveBudget: Sendable {
    /// A service's default: one largest frame's worth.
    public static let defaultBytes = FramedConnection.maxFrameSize

    private let remaining: Atomic<Int>

    public init(bytes: Int = ReceiveBudget.defaultBytes) {
        remaining = Atomic(bytes)
    }

    /// What is left to grant.
    public var available: Int { remaining.load(ordering: .relaxed) }

    /// Takes `count` bytes when that many are left; false otherwise (and takes nothing).
    func take(_ count: Int) -> Bool {
        var current = remaining.load(ordering: .relaxed)
        while current >= count {
            let (exchanged, original) = remaining.compareExchange(expected: current, desired: current - count, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    func giveBack(_ count: Int) {
        remaining.wrappingAdd(count, ordering: .relaxed)
    }
}
