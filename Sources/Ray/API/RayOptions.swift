import Foundation
import RayCore

/// How `Ray.start` starts a local cluster (the seed's `ray.init` arguments).
public struct RayOptions: Sendable {
    public enum Mode: Sendable {
        /// Services and workers in separate processes (the default).
        case cluster
        /// Every task runs in the driver process, one at a time, for debugging (the seed's PYTHON_MODE).
        case local
    }

    /// CPUs of the node; default: the machine's core count.
    public var cpus: Double?
    /// GPUs of the node; default 0.
    public var gpus: Double
    /// Custom resources of the node, by name.
    public var customResources: [String: Double]
    /// Shared-memory object store size in bytes; default: a quarter of physical memory.
    public var objectStoreMemory: Int?
    public var mode: Mode
    /// Worker output goes to files under the session directory instead of this terminal.
    public var redirectOutput: Bool
    /// Makes task and object IDs the same from run to run (the seed's `object_id_seed`).
    public var objectIDSeed: UInt64?
    /// Seconds an idle worker process stays before it is stopped.
    public var idleWorkerTimeout: Double
    /// `ip:port` of a cluster started with `ray start` to join instead of starting a private one
    /// (`auto`: the cluster of the node started on this machine); nil reads `RAY_ADDRESS`. The
    /// node options above are then the cluster's, not this program's.
    public var address: String?
    /// Where session directories go (`<it>/ray/session_…`), and where a driver that joins a
    /// cluster finds the node `ray start` started; nil reads `RAY_TMPDIR`, else `/tmp`.
    public var temporaryDirectory: String?
    /// For tests only: the file a joining driver ships as its job's program instead of its own
    /// executable (one that cannot run, to see how a node reports that).
    var shippedProgramForTesting: String?

    public init(cpus: Double? = nil, gpus: Double = 0, customResources: [String: Double] = [:], objectStoreMemory: Int? = nil,
                mode: Mode = .cluster, redirectOutput: Bool = false, objectIDSeed: UInt64? = nil, idleWorkerTimeout: Double = 10,
                address: String? = nil, temporaryDirectory: String? = nil) {
        self.cpus = cpus
        self.gpus = gpus
        self.customResources = customResources
        self.objectStoreMemory = objectStoreMemory
        self.mode = mode
        self.redirectOutput = redirectOutput
        self.objectIDSeed = objectIDSeed
        self.idleWorkerTimeout = idleWorkerTimeout
        self.address = address
        self.temporaryDirectory = temporaryDirectory
    }

    var temporaryRoot: String {
        temporaryDirectory ?? ProcessInfo.processInfo.environment[RayEnvironmentKey.temporaryDirectory] ?? "/tmp"
    }

    /// The cluster to join: `address`, else `RAY_ADDRESS`; nil starts a private one.
    var clusterAddress: String? {
        let address = address ?? ProcessInfo.processInfo.environment[RayEnvironmentKey.address]
        return address?.isEmpty == false ? address : nil
    }

    var resources: Resources {
        Resources(cpus: cpus ?? Double(ProcessInfo.processInfo.activeProcessorCount), gpus: gpus, custom: customResources)
    }

    var storeCapacity: Int {
        objectStoreMemory ?? Int(ProcessInfo.processInfo.physicalMemory / 4)
    }
}
