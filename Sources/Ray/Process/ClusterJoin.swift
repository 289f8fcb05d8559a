import Foundation
import Glibc
import RayCore
import RayTransport

/// How a driver joins a cluster started with `ray start` instead of starting its own: through
/// the node that `ray start` started on this machine (every driver needs a raylet on its own
/// machine, for the shared-memory store), found by its record under `RayOptions.temporaryDirectory`.
enum ClusterJoin {
    static func connect(address: String, options: RayOptions) throws -> ClusterCoreWorker {
        let records = NodeRecord.all(root: options.temporaryRoot).filter { record in
            record.services.contains { $0.role == "raylet" && NodeRecord.isRunning($0) }
        }
        let wanted = address == "auto" ? records : records.filter { $0.gcsAddress == address }
        guard let record = wanted.first else {
            let known = records.map(\.gcsAddress)
            throw RayError.system("no Ray node of the cluster at \(address) runs on this machine"
                + (known.isEmpty ? "" : " (nodes here belong to \(Set(known).sorted().joined(separator: ", ")))")
                + "; start one with `ray start --address \(address == "auto" ? "<head address>" : address) --token-file <file>`")
        }
        let tokenFile = ProcessInfo.processInfo.environment[RayEnvironmentKey.clusterTokenFile] ?? record.tokenFile
        let token = try ClusterToken.read(from: tokenFile)
        guard let secret = SessionSecret(hex: record.sessionSecret) else {
            throw RayError.system("the node record in \(record.sessionDirectory) has no valid session secret")
        }
        let registration = ClientRegistration(kind: .driver, pid: getpid(), jobID: JobID(0), executablePath: try ServiceProcess.executablePath())
        let gcsAddress = try NetworkAddress(parsing: record.gcsAddress)
        // The program goes to the control store before the job starts: any node can fetch it.
        var shipping: ProgramShipping
        let shipped: ProgramShipping.Shipped
        do {
            shipping = ProgramShipping(connection: try FramedConnection.connect(to: gcsAddress, token: token))
            shipped = try shipping.upload(options.shippedProgramForTesting ?? "/proc/self/exe")
        } catch {
            throw RayError.system("cannot ship this program to the cluster at \(record.gcsAddress): \(error)")
        }
        defer { shipping.connection.close() }
        let log = RayLogging.logger("driver")
        let upload = shipped.uploaded ? "uploaded in \(shipped.uploadSeconds) s" : "stored already"
        log.debug("program \(shipped.hash) (\(shipped.size) bytes): hashed in \(shipped.hashSeconds) s, \(upload)")
        let worker: ClusterCoreWorker
        do {
            worker = try ClusterCoreWorker(rayletSocket: record.rayletSocket, gcs: .tcp(gcsAddress, token),
                                           registration: registration, secret: secret, seed: options.objectIDSeed, nodeIP: record.nodeIP,
                                           clusterToken: token)
        } catch {
            throw RayError.system("cannot join the cluster at \(record.gcsAddress) through the node in \(record.sessionDirectory): \(error)")
        }
        do {
            try shipping.assign(shipped.hash, to: worker.jobID)
        } catch {
            // Nodes then start the job's workers from its path, as if it had not been shipped.
            log.warning("tasks on other nodes need \(registration.executablePath) there: \(error)")
        }
        return worker
    }
}
