import CRaySupport

/// Runs nonisolated code at once on the thread that hops to it, instead of on a thread of the
/// global pool. `ActorHandle.remote` prefers it while it records a call, so the distributed
/// method's thunk (nonisolated code in the caller's module) does not cost two thread switches
/// per call. A job arriving on a connection's reader thread goes to the global pool: reader
/// threads must stay free to deliver the answers that user code may wait for.
final class CallerThreadExecutor: TaskExecutor {
    static let shared = CallerThreadExecutor()

    func enqueue(_ job: consuming ExecutorJob) {
        if cray_is_reader_thread() != 0 {
            globalConcurrentExecutor.enqueue(job)
        } else {
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
