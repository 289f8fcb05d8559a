import Foundation
import Glibc
import RayCore

/// What `ray start` leaves on the machine about the node it started, in the node's private
/// session directory (`node.json`, mode 0600): how a driver on this machine joins the cluster
/// (the raylet's socket and secret, the control store's address, the token's file), and which
/// processes `ray stop` stops (by process ID and start time, so a reused ID is never killed).
public struct NodeRecord: Codable, Sendable, Equatable {
    public struct Service: Codable, Sendable, Equatable {
        public var role: String
        public var pid: Int32
        /// When the process started, in clock ticks since boot (`/proc/<pid>/stat`, field 22).
        public var startTime: UInt64
    }

    public var gcsAddress: String
    public var nodeIP: String
    public var isHead: Bool
    public var sessionDirectory: String
    public var rayletSocket: String
    public var sessionSecret: String
    public var tokenFile: String
    public var services: [Service]

    /// Writes the record with mode 0600 (the session directory is private too).
    func write() throws {
        let path = SessionLayout(directory: sessionDirectory).nodeRecord
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(self)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw RayError.system("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let written = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == data.count else { throw RayError.system("cannot write \(path): \(String(cString: strerror(errno)))") }
    }

    /// The records of the nodes `ray start` started on this machine under `root` (`RAY_TMPDIR` or
    /// `/tmp`), readable by this user.
    static func all(root: String) -> [NodeRecord] {
        let parent = root + "/ray"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return [] }
        return entries.filter { $0.hasPrefix("session_") }.sorted().compactMap { entry in
            let path = SessionLayout(directory: "\(parent)/\(entry)").nodeRecord
            var info = stat()
            guard lstat(path, &info) == 0, info.st_uid == geteuid(), info.st_mode & S_IFMT == S_IFREG,
                  let data = FileManager.default.contents(atPath: path) else { return nil }
            return try? JSONDecoder().decode(NodeRecord.self, from: data)
        }
    }

    static var defaultRoot: String { ProcessInfo.processInfo.environment[RayEnvironmentKey.temporaryDirectory] ?? "/tmp" }

    /// Whether the process is still the one recorded (not exited, its ID not reused).
    static func isRunning(_ service: Service) -> Bool {
        guard let (state, startTime) = processState(service.pid), startTime == service.startTime else { return false }
        if state == "Z" {
            // Exited; if it is our child (a test started the node), collect it.
            var status: Int32 = 0
            waitpid(service.pid, &status, WNOHANG)
            return false
        }
        return true
    }

    static func processStartTime(_ pid: Int32) -> UInt64? { processState(pid)?.startTime }

    /// The process's state letter and start time, from `/proc/<pid>/stat`.
    private static func processState(_ pid: Int32) -> (state: Substring, startTime: UInt64)? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command name (which may hold spaces): state is field 3, start time 22.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let startTime = UInt64(fields[19]) else { return nil }
        return (fields[0], startTime)
    }
}
