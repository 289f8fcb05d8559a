import Foundation
import Glibc
import Logging
import RayCore
import RayGCS
import Raylet
import RayTransport

/// Where the user's executable goes when it was started as a Ray process rather than as itself:
/// called by the C load-time hook before `main` when `RAY_PROCESS_MODE` is set.
@_cdecl("ray_process_takeover_main")
public func rayProcessTakeoverMain(_ mode: UnsafePointer<CChar>) {
    ServiceMain.run(mode: String(cString: mode))
}

enum ServiceMain {
    static func run(mode: String) -> Never {
        let environment = ProcessInfo.processInfo.environment
        switch mode {
        case "worker": WorkerRuntime.run(environment: environment)
        case "gcs": runGCS(environment)
        case "raylet": runRaylet(environment)
        default: fail("unknown RAY_PROCESS_MODE \(mode)")
        }
    }

    static func fail(_ message: String) -> Never {
        RayLogging.logger("startup").error("\(message)")
        exit(1)
    }

    private static func runGCS(_ environment: [String: String]) -> Never {
        let log = RayLogging.logger("gcs")
        do {
            let listener: Listener
            if let address = environment[RayEnvironmentKey.gcsAddress] {
                listener = try Listener(tcp: try NetworkAddress(parsing: address), token: clusterToken(environment), log: log)
            } else if let socket = environment[RayEnvironmentKey.gcsSocket] {
                listener = try Listener(path: socket, secret: sessionSecret(environment), log: log)
            } else {
                fail("gcs needs \(RayEnvironmentKey.gcsAddress) or \(RayEnvironmentKey.gcsSocket)")
            }
            let timeout = environment[RayEnvironmentKey.nodeDeathTimeout].flatMap(Double.init) ?? GCSServer.defaultNodeDeathTimeout
            // A cluster of many machines ships its jobs' programs through the control store.
            let programs = environment[RayEnvironmentKey.gcsAddress] == nil ? nil
                : environment[RayEnvironmentKey.sessionDirectory].map { SessionLayout(directory: $0).executables }
            let server = try GCSServer(listener: listener, log: log, nodeDeathTimeout: timeout, executableDirectory: programs)
            server.start()
            let stop: @Sendable () -> Void = {
                server.stop()
                removeSessionIfEmpty(environment)
                exit(0)
            }
            watchParent(environment, onGone: stop)
            onTermination(stop)
            signalReady(environment)
        } catch {
            fail("the control store could not start: \(error)")
        }
        while true { pause() }
    }

    private static func runRaylet(_ environment: [String: String]) -> Never {
        do {
            guard let socket = environment[RayEnvironmentKey.rayletSocket],
                  let session = environment[RayEnvironmentKey.sessionDirectory], let capacity = environment[RayEnvironmentKey.storeCapacity].flatMap(Int.init) else {
                fail("raylet needs RAY_RAYLET_SOCKET, RAY_SESSION_DIR and RAY_STORE_CAPACITY")
            }
            let config = RayletConfig(
                nodeID: NodeID(environment[RayEnvironmentKey.nodeID].flatMap(UInt64.init) ?? NodeID.random().value),
                socketPath: socket, secret: sessionSecret(environment),
                resources: try ServiceEnvironment.decodeResources(environment[RayEnvironmentKey.resources] ?? ""),
                storeCapacity: capacity, sessionDirectory: session,
                redirectWorkerOutput: environment[RayEnvironmentKey.redirectOutput] == "1",
                idleWorkerTimeout: environment[RayEnvironmentKey.idleWorkerTimeout].flatMap(Double.init) ?? 10,
                nodeIP: environment[RayEnvironmentKey.nodeIP] ?? "127.0.0.1")
            let (gcs, network) = try connections(of: config, environment)
            let box = RayletBox()
            let raylet = try Raylet(config: config, gcs: gcs, network: network) {
                box.raylet?.stop()
                exit(0)
            }
            box.raylet = raylet
            try raylet.start()
            let stop: @Sendable () -> Void = {
                raylet.stop()
                unlink(socket)
                removeSessionIfEmpty(environment)
                exit(0)
            }
            watchParent(environment, onGone: stop)
            onTermination(stop)
            signalReady(environment)
        } catch {
            fail("the raylet could not start: \(error)")
        }
        while true { pause() }
    }

    /// The raylet's connection to the control store, and for a node of a multi-node cluster its
    /// listener for other raylets (on the node's address, any free port) and how it reaches theirs.
    private static func connections(of config: RayletConfig, _ environment: [String: String]) throws -> (FramedConnection, RayletNetwork?) {
        guard let address = environment[RayEnvironmentKey.gcsAddress] else {
            guard let socket = environment[RayEnvironmentKey.gcsSocket] else {
                fail("raylet needs \(RayEnvironmentKey.gcsAddress) or \(RayEnvironmentKey.gcsSocket)")
            }
            return (try FramedConnection.connect(path: socket, secret: config.secret), nil)
        }
        let token = clusterToken(environment)
        let gcs = try FramedConnection.connect(to: try NetworkAddress(parsing: address), token: token)
        let port = environment[RayEnvironmentKey.peerPort].flatMap(UInt16.init) ?? 0
        let listener = try Listener(tcp: try NetworkAddress(host: config.nodeIP, port: port), token: token, log: RayLogging.logger("raylet"))
        guard let bound = listener.address else { fail("the raylet's TCP listener has no address") }
        let gcsAddress = try NetworkAddress(parsing: address)
        let programs = ProgramResolver(cacheDirectory: ProgramResolver.cacheDirectory(forSession: config.sessionDirectory),
                                       log: RayLogging.logger("raylet")) {
            try FramedConnection.connect(to: gcsAddress, token: token)
        }
        let network = RayletNetwork(listener: listener, advertisedAddress: bound.description, programs: programs) { peer in
            try FramedConnection.connect(to: try NetworkAddress(parsing: peer), token: token)
        }
        return (gcs, network)
    }

    /// The cluster's token, which every TCP connection of the cluster proves it knows.
    static func clusterToken(_ environment: [String: String]) -> ClusterToken {
        guard let token = environment[RayEnvironmentKey.clusterToken].flatMap(ClusterToken.init(hex:)) else {
            fail("\(RayEnvironmentKey.clusterToken) is missing or is not \(ClusterToken.byteCount) bytes of hex")
        }
        return token
    }

    /// `ray stop` ends a detached service with SIGTERM: it stops as it would when its driver goes.
    private static func onTermination(_ stop: @escaping @Sendable () -> Void) {
        signal(SIGTERM, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
        source.setEventHandler(handler: stop)
        source.resume()
        terminationSource = source
    }

    /// Keeps the SIGTERM source alive for the life of the process.
    nonisolated(unsafe) private static var terminationSource: (any DispatchSourceSignal)?

    /// The session's secret, which every process of the session was started with.
    static func sessionSecret(_ environment: [String: String]) -> SessionSecret {
        guard let secret = environment[RayEnvironmentKey.sessionSecret].flatMap(SessionSecret.init(hex:)) else {
            fail("\(RayEnvironmentKey.sessionSecret) is missing or is not \(SessionSecret.byteCount) bytes of hex")
        }
        return secret
    }

    private static func watchParent(_ environment: [String: String], onGone: @escaping @Sendable () -> Void) {
        if let fd = environment[RayEnvironmentKey.lifelineFD].flatMap(Int32.init) { Lifeline.watch(fd: fd, onParentGone: onGone) }
    }

    /// A driver that died could not clean up: the last service to go removes the empty session
    /// directory (one with logs in it stays).
    private static func removeSessionIfEmpty(_ environment: [String: String]) {
        if let session = environment[RayEnvironmentKey.sessionDirectory] { rmdir(session) }
    }

    private static func signalReady(_ environment: [String: String]) {
        if let fd = environment[RayEnvironmentKey.readyFD].flatMap(Int32.init) { Lifeline.signalReady(fd: fd) }
    }
}

/// Lets the raylet's shutdown callback reach the raylet it belongs to.
private final class RayletBox: @unchecked Sendable {
    var raylet: Raylet?
}
