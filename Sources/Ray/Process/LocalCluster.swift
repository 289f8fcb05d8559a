import Foundation
import Glibc
import RayCore
import RayTransport

/// Starts and stops the service processes of a single-node cluster: this same executable run
/// again as the control store and as the raylet. Each child watches a lifeline pipe, so it exits
/// when this process ends for any reason, even SIGKILL.
final class LocalCluster: @unchecked Sendable {
    let sessionDirectory: String
    private let lifeline: Int32
    private(set) var processIDs: [pid_t] = []
    private let keepLogs: Bool

    private init(sessionDirectory: String, lifeline: Int32, keepLogs: Bool) {
        self.sessionDirectory = sessionDirectory
        self.lifeline = lifeline
        self.keepLogs = keepLogs
    }

    static func start(_ options: RayOptions) throws -> ClusterCoreWorker {
        let resources = options.resources
        try ServiceEnvironment.validate(resources)
        let session = try makeSessionDirectory()
        let pipe = try ChildProcess.pipe()
        let cluster = LocalCluster(sessionDirectory: session, lifeline: pipe.write, keepLogs: options.redirectOutput)
        defer { close(pipe.read) }
        do {
            let executable = try executablePath()
            let gcsSocket = session + "/gcs.sock"
            let rayletSocket = session + "/raylet.sock"
            try cluster.launch("gcs", executable: executable, lifeline: pipe.read, redirect: options.redirectOutput,
                               environment: ["RAY_GCS_SOCKET": gcsSocket, "RAY_SESSION_DIR": session])
            try cluster.launch("raylet", executable: executable, lifeline: pipe.read, redirect: options.redirectOutput, environment: [
                "RAY_GCS_SOCKET": gcsSocket,
                "RAY_RAYLET_SOCKET": rayletSocket,
                "RAY_SESSION_DIR": session,
                "RAY_NODE_ID": String(NodeID.random().value),
                "RAY_RESOURCES": ServiceEnvironment.encode(resources),
                "RAY_STORE_CAPACITY": String(options.storeCapacity),
                "RAY_REDIRECT_OUTPUT": options.redirectOutput ? "1" : "0",
                "RAY_IDLE_WORKER_TIMEOUT": String(options.idleWorkerTimeout),
            ])
            let registration = ClientRegistration(kind: .driver, pid: getpid(), jobID: JobID(0), executablePath: executable)
            return try ClusterCoreWorker(rayletSocket: rayletSocket, gcsSocket: gcsSocket, registration: registration,
                                         seed: options.objectIDSeed, cluster: cluster)
        } catch {
            cluster.stop()
            throw error
        }
    }

    /// Ends the services: closing the lifeline makes them exit; any still there after a grace
    /// period are killed by the process IDs we hold. Then the session's sockets are removed.
    func stop() {
        close(lifeline)
        let deadline = Date().addingTimeInterval(5)
        for pid in processIDs {
            var status: Int32 = 0
            while waitpid(pid, &status, WNOHANG) == 0 {
                if Date() > deadline {
                    kill(pid, SIGKILL)
                    waitpid(pid, &status, 0)
                    break
                }
                usleep(1000)
            }
        }
        processIDs = []
        unlink(sessionDirectory + "/gcs.sock")
        unlink(sessionDirectory + "/raylet.sock")
        if !keepLogs { try? FileManager.default.removeItem(atPath: sessionDirectory) }
    }

    private func launch(_ mode: String, executable: String, lifeline: Int32, redirect: Bool, environment extra: [String: String]) throws {
        let ready = try ChildProcess.pipe()
        var environment = ProcessInfo.processInfo.environment
        environment["RAY_PROCESS_MODE"] = mode
        environment["RAY_LIFELINE_FD"] = "3"
        environment["RAY_READY_FD"] = "4"
        environment.merge(extra) { $1 }
        var output: (Int32, Int32) = (-1, -1)
        if redirect {
            let logs = sessionDirectory + "/logs"
            mkdir(logs, 0o755)
            output = (open("\(logs)/\(mode).out", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644),
                      open("\(logs)/\(mode).err", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644))
        }
        let pid: pid_t
        do {
            pid = try ChildProcess.spawn(executable: executable, arguments: [executable, "--ray-\(mode)"], environment: environment,
                                         stdout: output.0, stderr: output.1,
                                         extraDescriptors: [(lifeline, 3), (ready.write, 4)])
        } catch {
            close(ready.read)
            close(ready.write)
            throw error
        }
        close(ready.write)
        if output.0 >= 0 { close(output.0) }
        if output.1 >= 0 { close(output.1) }
        processIDs.append(pid)
        defer { close(ready.read) }
        var pollfd = Glibc.pollfd(fd: ready.read, events: Int16(POLLIN), revents: 0)
        let rc = poll(&pollfd, 1, 20_000)
        var byte: UInt8 = 0
        guard rc == 1, read(ready.read, &byte, 1) == 1 else {
            throw RayError.system("the \(mode) process (pid \(pid)) did not start; see its error output above"
                + (redirect ? " or in \(sessionDirectory)/logs/\(mode).err" : ""))
        }
    }

    private static func makeSessionDirectory() throws -> String {
        let root = (ProcessInfo.processInfo.environment["RAY_TMPDIR"] ?? "/tmp") + "/ray"
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd_HH-mm-ss"
        let path = "\(root)/session_\(formatter.string(from: Date()))_\(getpid())_\(UInt32.random(in: 0 ... .max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private static func executablePath() throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { throw RayError.system("cannot resolve /proc/self/exe: \(String(cString: strerror(errno)))") }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
