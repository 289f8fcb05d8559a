import CRaySupport
import Foundation
import Glibc
import RayCore
import RayTransport

/// Starts worker processes: the job's own executable, re-run with `RAY_PROCESS_MODE=worker`, so
/// remote functions are found by name in the same binary. Their output is either forwarded to
/// the raylet's own stdout/stderr with a `(pid=N)` prefix or written to files in the session.
final class WorkerLauncher: @unchecked Sendable {
    private let socketPath: String
    private let nodeID: NodeID
    private let logDirectory: String?
    private let lock = NSLock()
    private var nextToken: UInt64 = 1
    private var pids: Set<pid_t> = []

    init(socketPath: String, nodeID: NodeID, logDirectory: String?) {
        self.socketPath = socketPath
        self.nodeID = nodeID
        self.logDirectory = logDirectory
    }

    func spawn(job: JobID, executable: String) throws {
        let token = lock.withLock { () -> UInt64 in
            defer { nextToken += 1 }
            return nextToken
        }
        var environment = ProcessInfo.processInfo.environment
        environment["RAY_PROCESS_MODE"] = "worker"
        environment["RAY_RAYLET_SOCKET"] = socketPath
        environment["RAY_WORKER_TOKEN"] = String(token)
        environment["RAY_JOB_ID"] = String(job.value)
        environment["RAY_NODE_ID"] = String(nodeID.value)
        let output = try outputDescriptors(token: token)
        defer {
            for fd in [output.stdoutChild, output.stderrChild] { close(fd) }
        }
        let pid = try ChildProcess.spawn(executable: executable, arguments: [executable], environment: environment,
                                         stdout: output.stdoutChild, stderr: output.stderrChild)
        lock.withLock { _ = pids.insert(pid) }
        if let forward = output.forward {
            OutputForwarder.start(fd: forward.stdout, prefix: "(pid=\(pid)) ", target: 1)
            OutputForwarder.start(fd: forward.stderr, prefix: "(pid=\(pid)) ", target: 2)
        }
    }

    /// Reaps exited workers so they do not linger as zombies.
    func reap() {
        var status: Int32 = 0
        let tracked = lock.withLock { Array(pids) }
        for pid in tracked where waitpid(pid, &status, WNOHANG) == pid {
            lock.withLock { _ = pids.remove(pid) }
        }
    }

    /// Kills one worker this launcher started; false for any other pid.
    func kill(_ pid: pid_t) -> Bool {
        guard lock.withLock({ pids.contains(pid) }) else { return false }
        return Glibc.kill(pid, SIGKILL) == 0
    }

    /// Kills every worker still running, by the process IDs this launcher started.
    func killAll() {
        let tracked = lock.withLock { Array(pids) }
        for pid in tracked { Glibc.kill(pid, SIGKILL) }
        var status: Int32 = 0
        for pid in tracked { waitpid(pid, &status, 0) }
        lock.withLock { pids.removeAll() }
    }

    private struct Output {
        var stdoutChild: Int32
        var stderrChild: Int32
        var forward: (stdout: Int32, stderr: Int32)?
    }

    private func outputDescriptors(token: UInt64) throws -> Output {
        if let logDirectory {
            let out = open("\(logDirectory)/worker-\(token).out", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            let err = open("\(logDirectory)/worker-\(token).err", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard out >= 0, err >= 0 else { throw TransportError.system("open worker log in \(logDirectory)", errno) }
            return Output(stdoutChild: out, stderrChild: err, forward: nil)
        }
        let out = try ChildProcess.pipe()
        let err = try ChildProcess.pipe()
        return Output(stdoutChild: out.write, stderrChild: err.write, forward: (out.read, err.read))
    }
}
