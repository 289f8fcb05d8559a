import Foundation
import Glibc
import Logging
import RayCore

/// The loggers of Ray's processes: swift-log, one label per component (`ray.raylet`,
/// `ray.gcs`, ...), each line tagged with the process ID, at the level `RAY_LOG_LEVEL` names
/// (`trace` … `critical`, default `info`). Output goes where the program's logging system sends
/// it; by default, standard error, which a service's starter may redirect into the session.
public enum RayLogging {
    public static let defaultLevel = Logger.Level.info

    public static func logger(_ component: String) -> Logger {
        var logger = Logger(label: "ray.\(component)")
        logger.logLevel = level
        logger[metadataKey: "pid"] = "\(getpid())"
        return logger
    }

    /// The level of this process, read once.
    public static let level = level(from: ProcessInfo.processInfo.environment)

    /// The level `RAY_LOG_LEVEL` names in `environment`; the default for none or a name that
    /// is not a level.
    public static func level(from environment: [String: String]) -> Logger.Level {
        environment[RayEnvironmentKey.logLevel].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? defaultLevel
    }
}
