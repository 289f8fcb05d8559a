import Foundation
import Glibc
import RayCore
import RayTransport

/// Starts one Ray service (this same executable in `gcs` or `raylet` mode) and waits until it
/// listens: the child writes a byte to a ready pipe, and a child that fails closes the pipe
/// first. Used by `Ray.start` for its private cluster (the children watch a lifeline pipe) and by
/// `ray start` (the children lead sessions of their own and outlive the command).
enum ServiceProcess {
    /// - Parameters:
    ///   - logs: the directory for the service's output (`<mode>.out`, `<mode>.err`); nil keeps ours.
    ///   - lifeline: the read end the service watches (given as fd 3); nil for a detached service.
    static func launch(_ mode: String, executable: String, environment extra: [String: String], logs: String?,
                       lifeline: Int32?) throws -> pid_t {
        let ready = try ChildProcess.pipe()
        var environment = ProcessInfo.processInfo.environment
        environment[RayEnvironmentKey.processMode] = mode
        // The child's descriptors are 3, 4, … (everything above is closed): lifeline, then ready.
        let readyFD: Int32 = lifeline == nil ? 3 : 4
        environment[RayEnvironmentKey.readyFD] = String(readyFD)
        environment[RayEnvironmentKey.lifelineFD] = lifeline == nil ? nil : "3"
        environment.merge(extra) { $1 }
        var output: (Int32, Int32) = (-1, -1)
        if let logs {
            mkdir(logs, 0o700)
            output = (open("\(logs)/\(mode).out", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600),
                      open("\(logs)/\(mode).err", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600))
        }
        var descriptors = [(ours: ready.write, theirs: readyFD)]
        if let lifeline { descriptors.append((lifeline, 3)) }
        // A detached service keeps nothing of the terminal: no input, and output in its logs.
        let devNull = lifeline == nil ? open("/dev/null", O_RDONLY | O_CLOEXEC) : -1
        if devNull >= 0 { descriptors.append((devNull, 0)) }
        defer {
            for fd in [output.0, output.1, devNull, ready.write] where fd >= 0 { close(fd) }
        }
        let pid: pid_t
        do {
            pid = try ChildProcess.spawn(executable: executable, arguments: [executable, "--ray-\(mode)"], environment: environment,
                                         stdout: output.0, stderr: output.1, extraDescriptors: descriptors, newSession: lifeline == nil)
        } catch {
            close(ready.read)
            throw error
        }
        close(ready.write)
        defer { close(ready.read) }
        var pollfd = Glibc.pollfd(fd: ready.read, events: Int16(POLLIN), revents: 0)
        let rc = poll(&pollfd, 1, 20_000)
        var byte: UInt8 = 0
        guard rc == 1, read(ready.read, &byte, 1) == 1 else {
            var status: Int32 = 0
            // A service that failed is exiting; one that is stuck is made to.
            if rc == 0 { kill(pid, SIGKILL) }
            waitpid(pid, &status, 0)
            throw RayError.system("the \(mode) process (pid \(pid)) did not start: " + reason(mode: mode, logs: logs))
        }
        return pid
    }

    /// The last line the service wrote to its error log, which says why it failed.
    private static func reason(mode: String, logs: String?) -> String {
        guard let logs, let text = try? String(contentsOfFile: "\(logs)/\(mode).err", encoding: .utf8),
              let last = text.split(separator: "\n").last(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            return logs == nil ? "see its error output above" : "its log \(logs ?? "")/\(mode).err is empty"
        }
        // Without the log line's time, level and source: "… [Ray] the control store could not start: …".
        guard let source = last.range(of: "] ") else { return String(last) }
        return String(last[source.upperBound...])
    }

    static func executablePath() throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { throw RayError.system("cannot resolve /proc/self/exe: \(String(cString: strerror(errno)))") }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
