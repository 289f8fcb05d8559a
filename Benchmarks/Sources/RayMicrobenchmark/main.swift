import Foundation
import Glibc
import Ray

// `ray-microbenchmark`: the shapes of Python Ray's `ray microbenchmark`, with Ray's names, plus
// start-up, shutdown, memory and zero-copy measurements. `--quick` for short runs, `--filter S`
// to run the benchmarks whose name contains S, `--json FILE` to write the results. `--multinode`
// runs the multi-node lines instead (MultiNode.swift; `--ray-binary PATH` for `ray start`/`stop`).

let arguments = CommandLine.arguments
func option(_ name: String) -> String? {
    arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
}

// A child run for the cold-start measurement: start, one task, report, shut down.
if arguments.contains("--cold-start-probe") {
    let ray = try await Ray.start(RayOptions(objectStoreMemory: 256 << 20))
    _ = try await ray.get(try SmallValue.remote())
    FileHandle.standardOutput.write(Data("first-result\n".utf8))
    let clock = ContinuousClock()
    let shutdown = await clock.measure { await ray.shutdown() }
    FileHandle.standardOutput.write(Data("shutdown \(shutdown.seconds)\n".utf8))
    exit(0)
}

let runner = BenchmarkRunner(quick: arguments.contains("--quick"), filter: option("--filter"))

// The multi-node lines (issue 10), on a two-node cluster of their own: `--multinode`.
if arguments.contains("--multinode") {
    // Default: the main package's release build of `ray`: this executable lives under
    // <repository>/Benchmarks/.build/…, and `ray` at <repository>/.build/release/ray.
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    while directory.path != "/" && directory.lastPathComponent != "Benchmarks" { directory.deleteLastPathComponent() }
    let defaultRay = directory.deletingLastPathComponent().appendingPathComponent(".build/release/ray").path
    try await runMultiNode(runner: runner, rayBinary: option("--ray-binary") ?? defaultRay)
    if let path = option("--json") {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(runner.results).write(to: URL(fileURLWithPath: path))
        print("wrote \(path)")
    }
    exit(0)
}
let cpuCount = ProcessInfo.processInfo.activeProcessorCount

// MARK: Start-up, shutdown and memory

if runner.wants("cold start") || runner.wants("shutdown") {
    var starts: [Double] = []
    var shutdowns: [Double] = []
    for _ in 0..<5 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        process.arguments = ["--cold-start-probe"]
        let pipe = Pipe()
        process.standardOutput = pipe
        let clock = ContinuousClock()
        let begin = clock.now
        try process.run()
        var output = ""
        while !output.contains("first-result") {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            output += String(decoding: chunk, as: UTF8.self)
        }
        starts.append((clock.now - begin).seconds * 1000)
        output += String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if let line = output.split(separator: "\n").first(where: { $0.hasPrefix("shutdown ") }), let seconds = Double(line.dropFirst(9)) {
            shutdowns.append(seconds * 1000)
        }
    }
    if runner.wants("cold start") { runner.record("cold start (program start to first task result)", starts, unit: "ms") }
    if runner.wants("shutdown") { runner.record("shutdown time", shutdowns, unit: "ms") }
}

let startClock = ContinuousClock()
let startBegin = startClock.now
let ray = try await Ray.start(RayOptions(objectStoreMemory: 4 << 30))
if runner.wants("Ray.start") {
    runner.record("ray.init() / Ray.start()", [(startClock.now - startBegin).seconds * 1000], unit: "ms")
}

if runner.wants("idle cluster memory") {
    try await Task.sleep(for: .milliseconds(500))
    let tree = ProcessMemory.treeRSS(root: getpid())
    runner.record("idle cluster memory (RSS of \(tree.processes) processes)", [Double(tree.bytes) / 1_048_576], unit: "MiB")
}

// MARK: Ray's microbenchmark

let value = try ray.put(0)
try await runner.timeit("single client get calls (Plasma Store)") { _ = try await ray.get(value) }
try await runner.timeit("single client put calls (Plasma Store)") { _ = try ray.put(0) }
try await runner.timeit("multi client put calls (Plasma Store)", multiplier: 1000) {
    _ = try await ray.get(try (0..<10).map { _ in try PutSmallHundredTimes.remote() })
}

if runner.wants("single client put gigabytes") {
    let large = NDArray<Int64>(repeating: 0, shape: [100 * 1024 * 1024])
    try await runner.timeit("single client put gigabytes", multiplier: 8 * 0.1) { _ = try ray.put(large) }
}

try await runner.timeit("single client tasks and get batch") {
    _ = try await ray.get(try (0..<1000).map { _ in try SmallValue.remote() })
}

try await runner.timeit("multi client put gigabytes", multiplier: 10 * 8 * 0.1) {
    _ = try await ray.get(try (0..<10).map { _ in try PutTenLarge.remote() })
}

if runner.wants("single client get object containing 10k refs") {
    let containing = try CreateObjectContainingRefs.remote()
    _ = try await ray.get(containing)
    try await runner.timeit("single client get object containing 10k refs") { _ = try await ray.get(containing) }
}

try await runner.timeit("single client wait 1k refs") {
    var notReady = try (0..<1000).map { _ in try SmallValue.remote() }
    while !notReady.isEmpty { notReady = try await ray.wait(notReady).remaining }
}

try await runner.timeit("single client tasks sync") { _ = try await ray.get(try SmallValue.remote()) }
try await runner.timeit("single client tasks async", multiplier: 1000) {
    _ = try await ray.get(try (0..<1000).map { _ in try SmallValue.remote() })
}

if runner.wants("multi client tasks async") {
    let n = 10_000
    var actors: [ActorHandle<BenchActor>] = []
    for _ in 0..<4 { actors.append(try await ray.createActor(BenchActor.self)) }
    try await runner.timeit("multi client tasks async", multiplier: Double(n * actors.count)) {
        var refs: [ObjectRef<Int>] = []
        for actor in actors { refs.append(try await actor.remote { try await $0.smallValueBatch(n) }) }
        _ = try await ray.get(refs)
    }
}

if runner.wants("1:1 actor calls") {
    let actor = try await ray.createActor(BenchActor.self)
    let proxy = try actor.actor
    // Ray's shape: `ray.get(a.small_value.remote())`.
    try await runner.timeit("1:1 actor calls sync") { _ = try await ray.get(actor.remote { try await $0.smallValue() }) }
    try await runner.timeit("1:1 actor calls sync (awaited method)") { _ = try await proxy.smallValue() }
    try await runner.timeit("1:1 actor calls async", multiplier: 1000) {
        try await callMany(actor, count: 1000, using: ray) { actor, _ in try await actor.smallValue() }
    }
    let concurrent = try await ray.createActor(BenchActor.self, options: ActorOptions(maxConcurrency: 16))
    try await runner.timeit("1:1 actor calls concurrent", multiplier: 1000) {
        try await callMany(concurrent, count: 1000, using: ray) { actor, _ in try await actor.smallValue() }
    }
}

let serverCount = max(1, cpuCount / 2)
if runner.wants("1:n actor calls async") {
    let n = 5000
    var servers: [ActorHandle<BenchActor>] = []
    for _ in 0..<serverCount { servers.append(try await ray.createActor(BenchActor.self)) }
    let client = try await ray.createActor(BenchClient.self, arguments: servers)
    try await runner.timeit("1:n actor calls async", multiplier: Double(n * servers.count)) {
        _ = try await client.actor.smallValueBatch(n)
    }
}

if runner.wants("n:n actor calls async") {
    let n = 5000, m = 4
    var servers: [ActorHandle<BenchActor>] = []
    for _ in 0..<serverCount { servers.append(try await ray.createActor(BenchActor.self)) }
    try await runner.timeit("n:n actor calls async", multiplier: Double(m * n)) {
        _ = try await ray.get(try (0..<m).map { _ in try CallActors.remote(servers, n) })
    }
}

if runner.wants("n:n actor calls with arg async") {
    let n = 1000
    var clients: [ActorHandle<BenchClient>] = []
    for _ in 0..<serverCount {
        let server = try await ray.createActor(BenchActor.self)
        clients.append(try await ray.createActor(BenchClient.self, arguments: [server]))
    }
    try await runner.timeit("n:n actor calls with arg async", multiplier: Double(n * clients.count)) {
        var refs: [ObjectRef<Int>] = []
        for client in clients { refs.append(try await client.remote { try await $0.smallValueBatchArg(n) }) }
        _ = try await ray.get(refs)
    }
}

if runner.wants("async-actor") {
    let actor = try await ray.createActor(AsyncBenchActor.self)
    let proxy = try actor.actor
    try await runner.timeit("1:1 async-actor calls sync") { _ = try await ray.get(actor.remote { try await $0.smallValue() }) }
    try await runner.timeit("1:1 async-actor calls sync (awaited method)") { _ = try await proxy.smallValue() }
    try await runner.timeit("1:1 async-actor calls async", multiplier: 1000) {
        try await callMany(actor, count: 1000, using: ray) { actor, _ in try await actor.smallValue() }
    }
    try await runner.timeit("1:1 async-actor calls with args async", multiplier: 1000) {
        try await callMany(actor, count: 1000, using: ray) { actor, i in try await actor.smallValueArg(i) }
    }
}

// MARK: Ours: zero-copy reads and large arguments

if runner.wants("get of") {
    for megabytes in [1, 10, 100] {
        let array = NDArray<Float>(repeating: 1, shape: [megabytes * 1_048_576 / 4])
        let ref = try ray.put(array)
        _ = try await ray.get(ref)
        var samples: [Double] = []
        for _ in 0..<5 {
            let clock = ContinuousClock()
            let rounds = 200
            let elapsed = try await clock.measure {
                for _ in 0..<rounds { _ = try await ray.get(ref) }
            }
            samples.append(elapsed.seconds / Double(rounds) * 1e6)
        }
        runner.record("get of a \(megabytes) MB array (zero-copy view)", samples, unit: "µs")
    }
}

if runner.wants("1 MiB array by ref to 1000 tasks") {
    let shared = try ray.put(NDArray<Float>(repeating: 1, shape: [262_144]))
    try await runner.timeit("1 MiB array by ref to 1000 tasks", multiplier: 1000) {
        _ = try await ray.get(try (0..<1000).map { _ in try CountFloats.remote(shared) })
    }
}

if runner.wants("memcpy") {
    let count = 100 * 1_048_576
    let source = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 64)
    let destination = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 64)
    memset(source, 1, count)
    memset(destination, 0, count)
    var samples: [Double] = []
    for _ in 0..<10 {
        let clock = ContinuousClock()
        let elapsed = clock.measure { memcpy(destination, source, count) }
        samples.append(Double(count) / elapsed.seconds / 1e9)
    }
    runner.record("memcpy 100 MiB (reference)", samples, unit: "GB/s")
    source.deallocate()
    destination.deallocate()
}

await ray.shutdown()

if let path = option("--json") {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(runner.results).write(to: URL(fileURLWithPath: path))
    print("wrote \(path)")
}
