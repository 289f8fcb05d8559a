import Foundation

/// The last bytes a worker wrote to its error output, kept so that a worker that dies before it
/// registers can be reported with its own words.
final class OutputTail: @unchecked Sendable {
    static let capacity = 2048

    private let condition = NSCondition()
    private var bytes: [UInt8] = []
    private var finished = false

    func append(_ chunk: some Collection<UInt8>) {
        condition.withLock {
            bytes.append(contentsOf: chunk)
            if bytes.count > Self.capacity { bytes.removeFirst(bytes.count - Self.capacity) }
        }
    }

    /// The output reached end-of-file: the process and whatever inherited its output are gone.
    func finish() {
        condition.withLock {
            finished = true
            condition.broadcast()
        }
    }

    /// The kept text, once the output ended or `timeout` seconds passed.
    func text(waitingUpTo timeout: Double) -> String {
        condition.withLock {
            let deadline = Date().addingTimeInterval(timeout)
            while !finished && condition.wait(until: deadline) {}
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
