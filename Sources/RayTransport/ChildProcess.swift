import CRaySupport
import Glibc

/// Starting child processes with exactly the descriptors we choose: everything we open is
/// close-on-exec, so a child inherits only what is mapped here.
public enum ChildProcess {
    /// Spawns `executable`; `extraDescriptors` maps our fds to fd numbers in the child, which
    /// should be 3, 4, …: every descriptor above the highest is closed in the child, whoever
    /// opened it.
    /// - Parameter newSession: the child leads a session of its own (`setsid`), so a terminal's
    ///   hangup or Ctrl-C reaches it no more: how `ray start` detaches its services.
    public static func spawn(executable: String, arguments: [String], environment: [String: String],
                             stdout: Int32 = -1, stderr: Int32 = -1,
                             extraDescriptors: [(ours: Int32, theirs: Int32)] = [], newSession: Bool = false) throws(TransportError) -> pid_t {
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        let ours = extraDescriptors.map(\.ours)
        let theirs = extraDescriptors.map(\.theirs)
        let pid = cray_spawn(executable, argv, envp, ours, theirs, Int32(ours.count), stdout, stderr, newSession ? 1 : 0)
        guard pid > 0 else { throw .system("posix_spawn \(executable)", -pid) }
        return pid
    }

    /// A close-on-exec pipe.
    public static func pipe() throws(TransportError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard cray_pipe_cloexec(&fds) == 0 else { throw .system("pipe2", errno) }
        return (fds[0], fds[1])
    }
}
