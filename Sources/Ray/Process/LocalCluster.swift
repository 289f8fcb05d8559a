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
        let session = try SessionDirectory.create(root: options.temporaryRoot)
        let layout = SessionLayout(directory: session)
        let secret = SessionSecret.random()
        let pipe = try ChildProcess.pipe()
        let cluster = LocalCluster(sessionDirectory: session, lifeline: pipe.write, keepLogs: options.redirectOutput)
        defer { close(pipe.read) }
        do {
            let executable = try ServiceProcess.executablePath()
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
            return try ClusterCoreWorker(rayletSocket: rayletSocket, gcs: .unix(path: gcsSocket), registration: registration,
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

    private func launch(_ mode: String, executable: String, lifeline: Int32, redirect: Bool, environment: [String: String]) throws {
        processIDs.append(try ServiceProcess.launch(mode, executable: executable, environment: environment,
                                                    logs: redirect ? SessionLayout(directory: sessionDirectory).logs : nil, lifeline: lifeline))
    }
}
