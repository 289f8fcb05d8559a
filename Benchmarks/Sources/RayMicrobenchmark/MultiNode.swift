import Distributed
import Foundation
import Glibc
import Ray
import RayCore

// `ray-microbenchmark --multinode`: the multi-node lines of issue 10. Two nodes on this machine,
// started through `NodeLauncher` like `ray start` (each with a root directory of its own, as two
// machines would have); this process joins the head as a driver. Node B carries the custom
// resource `b`, which pins work there. Compared with Python Ray's `ray.cluster_utils.Cluster`
// (Benchmarks/python/multinode.py), line by line under the same names.

// MARK: Remote functions and actors pinned to node B

/// A trivial task on node B.
struct SmallValueOnB: RemoteFunction0 {
    static var resources: Resources { Resources(cpus: 1, custom: ["b": 1]) }
    static func run() -> String { "ok" }
}

/// Makes an array of `bytes` bytes on node B, returned as two objects: a small one (inline with
/// the task's answer) that tells the driver the array is made, and the array (stored on B), so
/// that `get` of the array is the transfer alone. (A `wait` would start the pull: it fetches like
/// Ray's `fetch_local=True`.)
struct MakeArrayOnB: RemoteFunction1 {
    static var resources: Resources { Resources(cpus: 1, custom: ["b": 1]) }
    static func run(_ bytes: Int) throws -> Returns2<Int, NDArray<UInt8>> {
        Returns2(bytes, NDArray<UInt8>(repeating: 1, shape: [bytes]))
    }
}

/// Holds its CPU for `milliseconds`, then says which node it ran on.
struct SleepAndTellNode: RemoteFunction1 {
    static func run(_ milliseconds: Int) async throws -> UInt64 {
        try await Task.sleep(for: .milliseconds(milliseconds))
        return try Ray.current().nodeID.value
    }
}

/// An actor for node B (placed there by `ActorOptions(resources:)`).
distributed actor RemoteNodeActor: RayActor {
    typealias ActorSystem = RayActorSystem

    init(actorSystem: RayActorSystem, arguments: NoArguments) {
        self.actorSystem = actorSystem
    }

    distributed func smallValue() -> String { "ok" }
    distributed func nodeID() throws -> UInt64 { try Ray.current().nodeID.value }
}

// MARK: The measurements

enum MultiNodeError: Error, CustomStringConvertible {
    case timedOut(String)
    case failed(String)
    var description: String {
        switch self {
        case let .timedOut(what): "\(what) did not finish in time"
        case let .failed(what): what
        }
    }
}

/// Runs `body`, failing if it takes longer than `seconds` (the body is cancelled, and left).
func withTimeout<R: Sendable>(_ seconds: Double, _ what: String, _ body: @escaping @Sendable () async throws -> R) async throws -> R {
    try await withThrowingTaskGroup(of: R?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw MultiNodeError.timedOut(what) }
        return value
    }
}

/// Prints a progress line at once (standard output may be a pipe).
func say(_ line: String) {
    print(line)
    fflush(nil)
}

func median(_ samples: [Double]) -> Double {
    let sorted = samples.sorted()
    let n = sorted.count
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
}

/// One TCP stream over 127.0.0.1, written in `chunk`-byte writes (the object transfer's chunk
/// size) and read into a buffer of the same size on another thread: bytes per second.
func loopbackTCP(bytes total: Int, chunk: Int) throws -> Double {
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(listener) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let listening = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(listener, $0, length) == 0 && listen(listener, 1) == 0 && getsockname(listener, $0, &length) == 0
        }
    }
    guard listening else { throw MultiNodeError.failed("cannot listen: \(String(cString: strerror(errno)))") }
    let reader = Thread {
        let fd = accept(listener, nil, nil)
        guard fd >= 0 else { return }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 64)
        var received = 0
        while received < total {
            let n = read(fd, buffer, chunk)
            if n <= 0 { break }
            received += n
        }
        _ = write(fd, buffer, 1)  // done
        buffer.deallocate()
        close(fd)
    }
    reader.start()
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var one: Int32 = 1
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    let connected = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) == 0 }
    }
    guard connected else { throw MultiNodeError.failed("cannot connect: \(String(cString: strerror(errno)))") }
    let source = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 64)
    defer { source.deallocate() }
    memset(source, 1, chunk)
    let clock = ContinuousClock()
    let begin = clock.now
    var sent = 0
    while sent < total {
        var offset = 0
        let count = min(chunk, total - sent)
        while offset < count {
            let n = write(fd, source + offset, count - offset)
            guard n > 0 else { throw MultiNodeError.failed("write failed: \(String(cString: strerror(errno)))") }
            offset += n
        }
        sent += count
    }
    var byte: UInt8 = 0
    _ = read(fd, &byte, 1)
    return Double(total) / (clock.now - begin).seconds
}

/// Runs a command to its end and returns its wall time in milliseconds (and its output).
/// Spawned and reaped directly: Foundation's `Process.waitUntilExit` notices an exit only on a
/// 50 ms tick of its run loop, which made every command seem to take at least 50 ms.
func timeCommand(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> (ms: Double, output: String, status: Int32) {
    let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("ray-bench-\(getpid())-\(UUID().uuidString).out").path
    defer { unlink(outputPath) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        for pointer in argv { free(pointer) }
        for pointer in envp { free(pointer) }
    }
    let clock = ContinuousClock()
    let begin = clock.now
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, executable, &actions, nil, argv, envp)
    guard rc == 0 else { throw MultiNodeError.failed("cannot run \(executable): \(String(cString: strerror(rc)))") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let elapsed = (clock.now - begin).seconds * 1000
    let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    let exitStatus = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return (elapsed, text, exitStatus)
}

@MainActor
func runMultiNode(runner: BenchmarkRunner, rayBinary: String?) async throws {
    let runs = runner.quick ? 3 : 5

    // The reference: this machine's loopback TCP, one stream, 8 MiB writes (ObjectSender.chunkSize).
    if runner.wants("loopback TCP") {
        let chunk = 8 << 20
        var samples: [Double] = []
        for _ in 0..<runs { samples.append(try loopbackTCP(bytes: 4 << 30, chunk: chunk) / 1e9) }
        runner.recordMedian("loopback TCP, one stream, 8 MiB writes (reference)", samples, unit: "GB/s")
    }

    // `ray start --head` and `ray stop` of the real command, each in a private RAY_TMPDIR.
    if runner.wants("ray start") || runner.wants("ray stop") {
        if let rayBinary, FileManager.default.isExecutableFile(atPath: rayBinary) {
            var starts: [Double] = []
            var stops: [Double] = []
            for _ in 0..<runs {
                let root = try OneMachineCluster.shortTemporaryDirectory()
                defer { try? FileManager.default.removeItem(atPath: root) }
                let port = try OneMachineCluster.freePort()
                let environment = ["RAY_TMPDIR": root]
                let start = try timeCommand(rayBinary, ["start", "--head", "--port", String(port), "--num-cpus", "1"], environment: environment)
                guard start.status == 0 else {
                    _ = NodeLauncher.stopAll(root: root, force: true)
                    throw MultiNodeError.failed("ray start --head failed: \(start.output)")
                }
                let stop = try timeCommand(rayBinary, ["stop"], environment: environment)
                guard stop.status == 0 else { throw MultiNodeError.failed("ray stop failed: \(stop.output)") }
                starts.append(start.ms)
                stops.append(stop.ms)
            }
            runner.recordMedian("ray start --head", starts, unit: "ms")
            runner.recordMedian("ray stop", stops, unit: "ms")
        } else {
            say("skipped ray start/stop: no ray binary (build it with `swift build -c release --product ray`, pass --ray-binary PATH)")
        }
    }

    // The two-node cluster: the head (A) and node B, one CPU each, B with the resource `b`.
    let cluster = try await OneMachineCluster.start([OneMachineCluster.Node(cpus: 1, objectStoreMemory: 4 << 30),
                                                     OneMachineCluster.Node(cpus: 1, customResources: ["b": 1000], objectStoreMemory: 4 << 30)])
    defer { cluster.stop() }
    let records = cluster.records
    let roots = cluster.roots
    try await Task.sleep(for: .milliseconds(300))

    say("  cluster up: head \(records[0].gcsAddress), roots \(roots.joined(separator: " "))")
    let ray = try await Ray.start(RayOptions(address: records[0].gcsAddress, temporaryDirectory: roots[0]))
    let here = ray.nodeID.value
    say("  driver joined on node \(here)")
    let onB = try await withTimeout(60, "a first task on node B") { try await ray.get(try SmallValueOnB.remote()) }
    precondition(onB == "ok")
    say("  a first task ran on node B")

    try await runner.timeit("cross-node tasks sync") { _ = try await ray.get(try SmallValueOnB.remote()) }
    try await runner.timeit("cross-node tasks async", multiplier: 1000) {
        _ = try await ray.get(try (0..<1000).map { _ in try SmallValueOnB.remote() })
    }

    // `get` of an array made on B: a fresh object each time (a pulled object stays here).
    for megabytes in [1, 100, 1000] where runner.wants("cross-node get") {
        let bytes = megabytes * 1_000_000
        let count = megabytes >= 1000 ? (runner.quick ? 3 : 5) : megabytes >= 100 ? 7 : 21
        var samples: [Double] = []
        for _ in 0..<count {
            let (done, arrayRef) = try MakeArrayOnB.remote(bytes).split()
            _ = try await ray.get(done)
            let clock = ContinuousClock()
            let begin = clock.now
            let array = try await ray.get(arrayRef)
            let elapsed = (clock.now - begin).seconds
            precondition(array.count == bytes && array[bytes - 1] == 1)
            samples.append(elapsed * 1000)
        }
        let name = "cross-node get of a \(megabytes == 1000 ? "1,000" : String(megabytes)) MB array"
        runner.recordMedian(name, samples, unit: "ms")
        if megabytes >= 100 {
            runner.recordMedian(name + ", bandwidth", samples.map { Double(bytes) / ($0 / 1000) / 1e9 }, unit: "GB/s")
        }
    }

    // 200 tasks of 10 ms over the two one-CPU nodes: time, and the busier node's share.
    if runner.wants("200 tasks") {
        var times: [Double] = []
        var shares: [Double] = []
        for _ in 0..<runs {
            let clock = ContinuousClock()
            let begin = clock.now
            let nodes = try await ray.get(try (0..<200).map { _ in try SleepAndTellNode.remote(10) })
            times.append((clock.now - begin).seconds * 1000)
            let counts = Dictionary(grouping: nodes, by: { $0 }).mapValues(\.count)
            shares.append(Double(counts.values.max() ?? 0) / Double(nodes.count) * 100)
            say("  200 tasks: \(counts.map { "\($0.key == here ? "head" : "B"): \($0.value)" }.sorted().joined(separator: ", "))")
        }
        runner.recordMedian("200 tasks of 10 ms over two one-CPU nodes", times, unit: "ms")
        runner.recordMedian("200 tasks of 10 ms over two one-CPU nodes, busier node's share", shares, unit: "%")
    }

    // Calls to an actor on node B (cross-node actor calls are new: a failure is reported, not hidden).
    if runner.wants("cross-node actor calls") {
        do {
            let actor = try await withTimeout(30, "creating an actor on node B") {
                try await ray.createActor(RemoteNodeActor.self, options: ActorOptions(resources: Resources(cpus: 0, custom: ["b": 1])))
            }
            let node = try await withTimeout(30, "a first call to the actor on node B") {
                try await ray.get(actor.remote { try await $0.nodeID() })
            }
            guard node != here else { throw MultiNodeError.failed("the actor was placed on the head, not on node B") }
            try await runner.timeit("cross-node actor calls sync") { _ = try await ray.get(actor.remote { try await $0.smallValue() }) }
            try await runner.timeit("cross-node actor calls async", multiplier: 1000) {
                try await callMany(actor, count: 1000, using: ray) { actor, _ in try await actor.smallValue() }
            }
            try? ray.kill(actor)
        } catch {
            say("cross-node actor calls FAILED: \(error)")
            runner.note("cross-node actor calls", "failed: \(error)")
        }
    }

    await ray.shutdown()
}
