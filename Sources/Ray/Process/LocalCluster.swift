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
        let session = try SessionDirectory.create(root: ProcessInfo.processInfo.environment[RayEnvironmentKey.temporaryDirectory] ?? "/tmp")
        let layout = SessionLayout(directory: session)
        let secret = SessionSecret.random()
        let pipe = try ChildProcess.pipe()
        let cluster = LocalCluster(sessionDirectory: session, lifeline: pipe.write, keepLogs: options.redirectOutput)
        defer { close(pipe.read) }
        do {
            let executable = try executablePath()
            let gcsSocket = layout.gcsSocket
            let rayletSocket = layout.rayletSocket
            try cluster.launch("gcs", executable: executable, lifeline: pipe.read, redirect: options.redirectOutput,
                               environment: [RayEnvironmentKey.gcsSocket: gcsSocket, RayEnvironmentKey.sessionDirectory: session,
                                            RayEnvironmentKey.sessionSecret: secret.hex])
            try cluster.launch("raylet", executable: executable, lifeline: pipe.read, redirect: options.redirectOutput, environment: [
                RayEnvironmentKey.gcsSocket: gcsSocket,
                RayEnvironmentKey.rayletSocket: rayletSocket,
                RayEnvironmentKey.sessionDirectory: session,
                RayEnvironmentKey.sessionSecret: secret.hex,
                RayEnvironmentKey.nodeID: String(NodeID.random().value),
                RayEnvironmentKey.resources: ServiceEnvironment.encode(resources),
                RayEnvironmentKey.storeCapacity: String(options.storeCapacity),
                RayEnvironmentKey.redirectOutput: options.redirectOutput ? "1" : "0",
                RayEnvironmentKey.idleWorkerTimeout: String(options.idleWorkerTimeout),
            ])
            let registration = ClientRegistration(kind: .driver, pid: getpid(), jobID: JobID(0), executablePath: executable)
            return try ClusterCoreWorker(rayletSocket: rayletSocket, gcsSocket: gcsSocket, registration: registration,
                                         secret: secret, seed: options.objectIDSeed, cluster: cluster)
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
        let layout = SessionLayout(directory: sessionDirectory)
        unlink(layout.gcsSocket)
        unlink(layout.rayletSocket)
        if !keepLogs { try? FileManager.default.removeItem(atPath: sessionDirectory) }
    }

    private func launch(_ mode: String, executable: String, lifeline: Int32, redirect: Bool, environment extra: [String: String]) throws {
        let ready = try ChildProcess.pipe()
        var environment = ProcessInfo.processInfo.environment
        environment[RayEnvironmentKey.processMode] = mode
        environment[RayEnvironmentKey.lifelineFD] = "3"
        environment[RayEnvironmentKey.readyFD] = "4"
        environment.merge(extra) { $1 }
        var output: (Int32, Int32) = (-1, -1)
        if redirect {
            let logs = SessionLayout(directory: sessionDirectory).logs
            mkdir(logs, 0o700)
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

    private static func executablePath() throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { throw RayError.system("cannot resolve /proc/self/exe: \(String(cString: strerror(errno)))") }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
