import Foundation
import Glibc
import RayCore
import RayTransport

/// What `ray start` starts on a machine: the control store too for the head node, and a raylet
/// for every node, as daemons that outlive the command (in sessions of their own, output in the
/// node's session directory). `ray stop` ends them by the process IDs recorded.
public enum NodeLauncher {
    public struct Options: Sendable {
        /// Start the control store here; otherwise join the cluster at `address`.
        public var head: Bool
        /// The head's `ip:port`, for a node that joins.
        public var address: String?
        /// The control store's port, for the head.
        public var port: UInt16
        /// The address this node's services bind to and other nodes reach it at.
        public var nodeIP: String
        public var cpus: Double?
        public var gpus: Double
        public var customResources: [String: Double]
        public var objectStoreMemory: Int?
        /// The cluster token's file, for a node that joins.
        public var tokenFile: String?
        /// Seconds without a heartbeat before the control store declares a node dead (head only).
        public var nodeDeathTimeout: Double?
        /// Where the session directory goes (`<root>/ray/session_…`); default `RAY_TMPDIR` or `/tmp`.
        public var root: String

        public init(head: Bool, address: String? = nil, port: UInt16 = 6379, nodeIP: String = "127.0.0.1", cpus: Double? = nil,
                    gpus: Double = 0, customResources: [String: Double] = [:], objectStoreMemory: Int? = nil, tokenFile: String? = nil,
                    nodeDeathTimeout: Double? = nil, root: String? = nil) {
            self.head = head
            self.address = address
            self.port = port
            self.nodeIP = nodeIP
            self.cpus = cpus
            self.gpus = gpus
            self.customResources = customResources
            self.objectStoreMemory = objectStoreMemory
            self.tokenFile = tokenFile
            self.nodeDeathTimeout = nodeDeathTimeout
            self.root = root ?? NodeRecord.defaultRoot
        }
    }

    /// Starts this machine's node and returns its record. Throws a one-line reason when it
    /// cannot: the port is taken, the head cannot be reached or refuses the token, a head already
    /// runs on this address here.
    public static func start(_ options: Options) throws -> NodeRecord {
        let resources = RayOptions(cpus: options.cpus, gpus: options.gpus, customResources: options.customResources).resources
        try ServiceEnvironment.validate(resources)
        _ = try NetworkAddress(host: options.nodeIP, port: 0)
        let gcsAddress: NetworkAddress
        let token: ClusterToken
        if options.head {
            gcsAddress = try NetworkAddress(host: options.nodeIP, port: options.port)
            if let running = NodeRecord.all(root: options.root).first(where: { $0.isHead && $0.gcsAddress == gcsAddress.description && isAlive($0) }) {
                throw RayError.invalidArgument("a head node already runs at \(gcsAddress) on this machine (session \(running.sessionDirectory)); `ray stop` stops it")
            }
            token = ClusterToken.random()
        } else {
            guard let address = options.address else { throw RayError.invalidArgument("a node that is not the head needs the head's address") }
            gcsAddress = try NetworkAddress(parsing: address)
            guard let tokenFile = options.tokenFile ?? ProcessInfo.processInfo.environment[RayEnvironmentKey.clusterTokenFile] else {
                throw RayError.invalidArgument("joining \(address) needs the cluster token: pass --token-file with a copy of the head's token file")
            }
            token = try ClusterToken.read(from: tokenFile)
            try checkHead(gcsAddress, token: token)
        }
        let session = try SessionDirectory.create(root: options.root)
        let layout = SessionLayout(directory: session)
        do {
            try token.write(to: layout.clusterToken)
            let secret = SessionSecret.random()
            let executable = try ServiceProcess.executablePath()
            var services: [NodeRecord.Service] = []
            let common = [RayEnvironmentKey.gcsAddress: gcsAddress.description, RayEnvironmentKey.clusterToken: token.hex,
                          RayEnvironmentKey.sessionDirectory: session, RayEnvironmentKey.nodeIP: options.nodeIP]
            if options.head {
                var environment = common
                environment[RayEnvironmentKey.nodeDeathTimeout] = options.nodeDeathTimeout.map { String($0) }
                let pid = try ServiceProcess.launch("gcs", executable: executable, environment: environment, logs: layout.logs, lifeline: nil)
                services.append(NodeRecord.Service(role: "gcs", pid: pid, startTime: NodeRecord.processStartTime(pid) ?? 0))
            }
            var environment = common
            environment[RayEnvironmentKey.rayletSocket] = layout.rayletSocket
            environment[RayEnvironmentKey.sessionSecret] = secret.hex
            environment[RayEnvironmentKey.nodeID] = String(NodeID.random().value)
            environment[RayEnvironmentKey.resources] = ServiceEnvironment.encode(resources)
            environment[RayEnvironmentKey.storeCapacity] = String(RayOptions(objectStoreMemory: options.objectStoreMemory).storeCapacity)
            environment[RayEnvironmentKey.redirectOutput] = "1"
            do {
                let pid = try ServiceProcess.launch("raylet", executable: executable, environment: environment, logs: layout.logs, lifeline: nil)
                services.append(NodeRecord.Service(role: "raylet", pid: pid, startTime: NodeRecord.processStartTime(pid) ?? 0))
            } catch {
                for service in services { kill(service.pid, SIGTERM) }
                throw error
            }
            let record = NodeRecord(gcsAddress: gcsAddress.description, nodeIP: options.nodeIP, isHead: options.head, sessionDirectory: session,
                                    rayletSocket: layout.rayletSocket, sessionSecret: secret.hex, tokenFile: layout.clusterToken,
                                    services: services)
            try record.write()
            return record
        } catch {
            try? FileManager.default.removeItem(atPath: session)
            throw error
        }
    }

    /// Checks that the head answers and accepts the token, with a clear reason when not.
    static func checkHead(_ address: NetworkAddress, token: ClusterToken) throws {
        try connectToHead(address, token: token).close()
    }

    /// A connection to the head's control store, or a clear reason why there is none.
    static func connectToHead(_ address: NetworkAddress, token: ClusterToken) throws -> FramedConnection {
        do {
            return try FramedConnection.connect(to: address, token: token)
        } catch let error as TransportError {
            if case .unauthenticated = error {
                throw RayError.system("the head at \(address) refused the cluster token: \(error) (is the token file the head's?)")
            }
            throw RayError.system("cannot reach the head at \(address): \(error)")
        }
    }

    /// What `stop` did.
    public struct StopReport: Sendable {
        /// The services stopped, as "role pid".
        public var stopped: [String] = []
        /// Services that had exited already.
        public var gone: [String] = []
    }

    /// Stops every node `ray start` started on this machine under `root`: raylets first (each
    /// kills its workers), then control stores; SIGTERM, then SIGKILL after `grace` seconds (at
    /// once with `force`). Only processes still the ones recorded are signalled. Removes the
    /// nodes' session directories. Doing it twice is harmless.
    public static func stopAll(root: String? = nil, force: Bool = false, grace: Double = 10) -> StopReport {
        var report = StopReport()
        let records = NodeRecord.all(root: root ?? NodeRecord.defaultRoot)
        let services = records.flatMap(\.services).sorted { ($0.role == "raylet" ? 0 : 1) < ($1.role == "raylet" ? 0 : 1) }
        var signalled: [NodeRecord.Service] = []
        for service in services {
            guard NodeRecord.isRunning(service) else {
                report.gone.append("\(service.role) \(service.pid)")
                continue
            }
            kill(service.pid, force ? SIGKILL : SIGTERM)
            signalled.append(service)
            report.stopped.append("\(service.role) \(service.pid)")
        }
        let deadline = Date().addingTimeInterval(force ? 5 : grace)
        while signalled.contains(where: NodeRecord.isRunning), Date() < deadline { usleep(10_000) }
        for service in signalled where NodeRecord.isRunning(service) { kill(service.pid, SIGKILL) }
        while signalled.contains(where: NodeRecord.isRunning), Date() < deadline.addingTimeInterval(5) { usleep(10_000) }
        for record in records { try? FileManager.default.removeItem(atPath: record.sessionDirectory) }
        return report
    }

    /// Whether any service of the node still runs.
    static func isAlive(_ record: NodeRecord) -> Bool { record.services.contains(where: NodeRecord.isRunning) }
}
