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
        guard let socket = environment[RayEnvironmentKey.gcsSocket] else { fail("gcs needs RAY_GCS_SOCKET") }
        do {
            let server = try GCSServer(socketPath: socket, secret: sessionSecret(environment), log: RayLogging.logger("gcs"))
            server.start()
            watchParent(environment) {
                server.stop()
                removeSessionIfEmpty(environment)
                exit(0)
            }
            signalReady(environment)
        } catch {
            fail("the control store could not start: \(error)")
        }
        while true { pause() }
    }

    private static func runRaylet(_ environment: [String: String]) -> Never {
        do {
            guard let socket = environment[RayEnvironmentKey.rayletSocket], let gcsSocket = environment[RayEnvironmentKey.gcsSocket],
                  let session = environment[RayEnvironmentKey.sessionDirectory], let capacity = environment[RayEnvironmentKey.storeCapacity].flatMap(Int.init) else {
                fail("raylet needs RAY_RAYLET_SOCKET, RAY_GCS_SOCKET, RAY_SESSION_DIR and RAY_STORE_CAPACITY")
            }
            let config = RayletConfig(
                nodeID: NodeID(environment[RayEnvironmentKey.nodeID].flatMap(UInt64.init) ?? NodeID.random().value),
                socketPath: socket, secret: sessionSecret(environment),
                resources: try ServiceEnvironment.decodeResources(environment[RayEnvironmentKey.resources] ?? ""),
                storeCapacity: capacity, sessionDirectory: session,
                redirectWorkerOutput: environment[RayEnvironmentKey.redirectOutput] == "1",
                idleWorkerTimeout: environment[RayEnvironmentKey.idleWorkerTimeout].flatMap(Double.init) ?? 10)
            let box = RayletBox()
            let gcs = try FramedConnection.connect(path: gcsSocket, secret: config.secret)
            let raylet = try Raylet(config: config, gcs: gcs) {
                box.raylet?.stop()
                exit(0)
            }
            box.raylet = raylet
            try raylet.start()
            watchParent(environment) {
                raylet.stop()
                unlink(socket)
                removeSessionIfEmpty(environment)
                exit(0)
            }
            signalReady(environment)
        } catch {
            fail("the raylet could not start: \(error)")
        }
        while true { pause() }
    }

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
