import CRaySupport
import Foundation
import Glibc
import RayCore
import RayTransport

/// Starts worker processes: the job's own executable, re-run with `RAY_PROCESS_MODE=worker`, so
/// remote functions are found by name in the same binary. Their output is either forwarded to
/// the raylet's own stdout/stderr with a `(pid=N)` prefix or written to files in the session.
/// Each worker is known by the one-use token the node's state issued for it.
final class WorkerLauncher: @unchecked Sendable {
    /// A worker process that ended.
    struct Exit {
        var token: UInt64
        var pid: pid_t
        /// How it ended, as `waitpid` told.
        var status: String
    }

    private struct Started {
        var token: UInt64
        /// The last of its error output, when it is forwarded (else it is in `errorLog`).
        var tail: OutputTail?
        var errorLog: String?
    }

    private let socketPath: String
    private let nodeID: NodeID
    private let nodeIP: String
    private let logDirectory: String?
    private let lock = NSLock()
    private var workers: [pid_t: Started] = [:]
    /// Exited workers whose last words may still be asked for, by token.
    private var exited: [UInt64: Started] = [:]
    /// Threads still copying workers' output to ours.
    private let forwarding = DispatchGroup()

    init(socketPath: String, nodeID: NodeID, nodeIP: String = "127.0.0.1", logDirectory: String?) {
        self.socketPath = socketPath
        self.nodeID = nodeID
        self.nodeIP = nodeIP
        self.logDirectory = logDirectory
    }

    func spawn(job: JobID, executable: String, token: UInt64) throws {
        var environment = ProcessInfo.processInfo.environment
        environment[RayEnvironmentKey.processMode] = "worker"
        environment[RayEnvironmentKey.rayletSocket] = socketPath
        environment[RayEnvironmentKey.workerToken] = String(token)
        environment[RayEnvironmentKey.jobID] = String(job.value)
        environment[RayEnvironmentKey.nodeID] = String(nodeID.value)
        environment[RayEnvironmentKey.nodeIP] = nodeIP
        let output = try outputDescriptors(token: token)
        defer {
            for fd in [output.stdoutChild, output.stderrChild] { close(fd) }
        }
        let pid: pid_t
        do {
            pid = try ChildProcess.spawn(executable: executable, arguments: [executable], environment: environment,
                                         stdout: output.stdoutChild, stderr: output.stderrChild)
        } catch {
            if let forward = output.forward { close(forward.stdout); close(forward.stderr) }
            throw error
        }
        let tail = output.forward == nil ? nil : OutputTail()
        lock.withLock { workers[pid] = Started(token: token, tail: tail, errorLog: output.errorLog) }
        if let forward = output.forward {
            OutputForwarder.start(fd: forward.stdout, prefix: "(pid=\(pid)) ", target: 1, group: forwarding)
            OutputForwarder.start(fd: forward.stderr, prefix: "(pid=\(pid)) ", target: 2, group: forwarding, tail: tail)
        }
    }

    /// Reaps exited workers so they do not linger as zombies, and tells which they were.
    func reap() -> [Exit] {
        var status: Int32 = 0
        let tracked = lock.withLock { Array(workers.keys) }
        var exits = [Exit]()
        for pid in tracked where waitpid(pid, &status, WNOHANG) == pid {
            let how = status & 0x7f == 0 ? "exited with status \((status >> 8) & 0xff)" : "was killed by signal \(status & 0x7f)"
            lock.withLock {
                guard let started = workers.removeValue(forKey: pid) else { return }
                exited[started.token] = started
                exits.append(Exit(token: started.token, pid: pid, status: how))
            }
        }
        return exits
    }

    /// The last lines an exited worker wrote to its error output; forgets the worker.
    func lastWords(of token: UInt64) -> String {
        guard let started = lock.withLock({ exited.removeValue(forKey: token) }) else { return "" }
        let text = if let errorLog = started.errorLog {
            String(decoding: (FileManager.default.contents(atPath: errorLog) ?? Data()).suffix(OutputTail.capacity), as: UTF8.self)
        } else {
            started.tail?.text(waitingUpTo: 0.5) ?? ""
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).suffix(5)
        return lines.joined(separator: "\n")
    }

    /// Forgets exited workers whose last words nobody asked for.
    func forget(_ tokens: some Sequence<UInt64>) {
        lock.withLock { for token in tokens { exited[token] = nil } }
    }

    /// Kills one worker this launcher started; false for any other pid.
    func kill(_ pid: pid_t) -> Bool {
        guard lock.withLock({ workers[pid] != nil }) else { return false }
        return Glibc.kill(pid, SIGKILL) == 0
    }

    /// Kills every worker still running, by the process IDs this launcher started, then lets
    /// what they printed reach our output (for up to a second: a worker's own child could keep
    /// its output open).
    func killAll() {
        let tracked = lock.withLock { Array(workers.keys) }
        for pid in tracked { Glibc.kill(pid, SIGKILL) }
        var status: Int32 = 0
        for pid in tracked { waitpid(pid, &status, 0) }
        lock.withLock { workers.removeAll() }
        _ = forwarding.wait(timeout: .now() + 1)
    }

    private struct Output {
        var stdoutChild: Int32
        var stderrChild: Int32
        var forward: (stdout: Int32, stderr: Int32)?
        var errorLog: String?
    }

    private func outputDescriptors(token: UInt64) throws -> Output {
        if let logDirectory {
            let errorLog = "\(logDirectory)/worker-\(token).err"
            let out = open("\(logDirectory)/worker-\(token).out", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            let err = open(errorLog, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            guard out >= 0, err >= 0 else { throw TransportError.system("open worker log in \(logDirectory)", errno) }
            return Output(stdoutChild: out, stderrChild: err, forward: nil, errorLog: errorLog)
        }
        let out = try ChildProcess.pipe()
        let err = try ChildProcess.pipe()
        return Output(stdoutChild: out.write, stderrChild: err.write, forward: (out.read, err.read))
    }
}
