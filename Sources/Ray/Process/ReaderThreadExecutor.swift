import CRaySupport
import Synchronization

/// The executor a worker runs its tasks and actor calls on: the threads that read its
/// connections (to the raylet, and from the callers of its actors) run each job themselves,
/// between two messages, instead of waking a thread of the global pool (a wake-up costs more than
/// a small task). A task that awaits an answer is resumed by the reader that receives it. Work
/// enqueued from any other thread (a timer, another executor) goes to the global pool, so nothing
/// waits on a busy reader.
final class ReaderThreadExecutor: TaskExecutor, Sendable {
    /// Appended to by a reader and drained by whichever reader calls `runPending` next.
    private let pending = Mutex<[UnownedJob]>([])

    /// Makes the calling reader thread one that runs jobs; it must call `runPending` after
    /// handling each batch of messages.
    func adoptCurrentThread() { cray_mark_job_runner_thread() }

    func enqueue(_ job: consuming ExecutorJob) {
        if cray_is_job_runner_thread() != 0 {
            let unowned = UnownedJob(job)
            pending.withLock { $0.append(unowned) }
        } else {
            globalConcurrentExecutor.enqueue(job)
        }
    }

    /// Runs the jobs enqueued so far and those they enqueue in turn; called by a reader thread
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
