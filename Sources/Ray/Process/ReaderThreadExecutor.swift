import RayTransport
import Synchronization

/// The executor a worker runs its tasks on: the thread that reads the raylet connection runs
/// each assigned task itself, between two messages, instead of waking a thread of the global
/// pool (a wake-up costs more than a small task). A task that awaits an answer from the raylet is
/// resumed by that same thread when the answer arrives. Work enqueued from any other thread (a
/// timer, another executor) goes to the global pool, so nothing waits on a busy reader.
final class ReaderThreadExecutor: TaskExecutor, Sendable {
    /// The connection whose reader thread runs the jobs (it calls `runPending`).
    private let connection: FramedConnection
    /// Only the reader thread appends and drains, so the lock is never contended.
    private let pending = Mutex<[UnownedJob]>([])

    init(readerOf connection: FramedConnection) {
        self.connection = connection
    }

    func enqueue(_ job: consuming ExecutorJob) {
        if connection.isReaderThread {
            let unowned = UnownedJob(job)
            pending.withLock { $0.append(unowned) }
        } else {
            globalConcurrentExecutor.enqueue(job)
        }
    }

    /// Runs the jobs enqueued so far and those they enqueue in turn; called by the reader thread
    /// between messages.
    func runPending() {
        while true {
            let jobs = pending.withLock { jobs in
                defer { jobs.removeAll(keepingCapacity: true) }
                return jobs
            }
            if jobs.isEmpty { return }
            for job in jobs { job.runSynchronously(on: asUnownedTaskExecutor()) }
        }
    }
}
