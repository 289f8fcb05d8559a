import Distributed
import Foundation
import Ray

// The multi-host tests' checks, run by a driver that joins a cluster through RAY_ADDRESS (and
// RAY_CLUSTER_TOKEN_FILE) from inside one host's network namespace.

/// The seed's check: the IP address of the node the task ran on, after a millisecond.
struct NodeIPAddress: RemoteFunction0 {
    static func run() async throws -> String {
        try await Task.sleep(for: .milliseconds(1))
        return Ray.nodeIPAddress
    }
}

/// What a task saw of a large array: where it ran, the array's length and checksum.
struct BytesSeen: Codable, Sendable, Equatable {
    let node: String
    let count: Int
    let checksum: UInt64
}

/// Reads an array put on another node. Holds its node's only CPU for a while, so the other
/// nodes take the other calls.
struct ReadBytes: RemoteFunction1 {
    static func run(_ bytes: [UInt8]) async throws -> BytesSeen {
        try await Task.sleep(for: .milliseconds(500))
        return BytesSeen(node: Ray.nodeIPAddress, count: bytes.count, checksum: checksum(bytes))
    }
}

/// Makes `count` bytes of `pattern` unless it runs on the node `avoid` (then none), and says where.
struct MakeBytes: RemoteFunction2 {
    static func run(_ count: Int, _ avoid: String) async throws -> Returns2<String, [UInt8]> {
        try await Task.sleep(for: .milliseconds(500))
        let node = Ray.nodeIPAddress
        return Returns2(node, node == avoid ? [] : pattern(count))
    }
}

func pattern(_ count: Int) -> [UInt8] {
    [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
        for i in 0..<count { buffer[i] = UInt8(truncatingIfNeeded: i &* 31 &+ i >> 12) }
        initialized = count
    }
}

/// An order-sensitive checksum (FNV-1a over 64-bit words, then the tail bytes).
func checksum(_ bytes: [UInt8]) -> UInt64 {
    bytes.withUnsafeBytes { raw in
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let words = raw.count / 8
        for i in 0..<words { hash = (hash ^ raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) &* 0x100_0000_01b3 }
        for i in (words * 8)..<raw.count { hash = (hash ^ UInt64(raw[i])) &* 0x100_0000_01b3 }
        return hash
    }
}

struct ClusterCheckFailed: Error, CustomStringConvertible {
    let description: String
}

/// `node-ips N`: N tasks report their node's address; prints "node ips A B C" (sorted, distinct)
/// and "tasks per node A=n …".
func reportNodeIPAddresses(tasks: Int) async throws {
    try await Ray.withCluster(RayOptions()) { ray in
        let addresses = try await ray.get(try (0..<tasks).map { _ in try NodeIPAddress.remote() })
        let counts = Dictionary(addresses.map { ($0, 1) }, uniquingKeysWith: +)
        report("node ips \(counts.keys.sorted().joined(separator: " "))")
        report("tasks per node \(counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
    }
}

/// `transfer MB HERE`: puts MB megabytes here (the driver's node, address HERE) and has tasks on
/// other nodes read them; then has tasks on other nodes make MB megabytes and reads them here.
/// Prints "sent to A …" and "received from A …" and fails unless both name another node and
/// every copy is intact.
func transferBetweenHosts(megabytes: Int, here: String) async throws {
    let count = megabytes * 1_000_000
    try await Ray.withCluster(RayOptions()) { ray in
        let data = pattern(count)
        let expected = checksum(data)
        let ref = try ray.put(data)
        let seen = try await ray.get(try (0..<6).map { _ in try ReadBytes.remote(ref) })
        for copy in seen where copy.count != count || copy.checksum != expected {
            throw ClusterCheckFailed(description: "node \(copy.node) read \(copy.count) bytes with checksum \(copy.checksum), not \(count) with \(expected)")
        }
        let readers = Set(seen.map(\.node)).subtracting([here]).sorted()
        report("sent to \(readers.joined(separator: " "))")
        guard !readers.isEmpty else { throw ClusterCheckFailed(description: "every read ran on \(here), the driver's own node") }

        let made = try (0..<4).map { _ in try MakeBytes.remote(count, here).split() }
        var makers: [String] = []
        for (node, bytes) in made {
            let origin = try await ray.get(node)
            guard origin != here else { continue }
            let received = try await ray.get(bytes)
            guard received.count == count, checksum(received) == expected else {
                throw ClusterCheckFailed(description: "\(received.count) bytes made on \(origin) arrived damaged")
            }
            makers.append(origin)
        }
        report("received from \(Set(makers).sorted().joined(separator: " "))")
        guard !makers.isEmpty else { throw ClusterCheckFailed(description: "every array was made on \(here), the driver's own node") }
    }
}

/// The program a task runs as, on the node that has the `second` resource.
struct ProgramOfTask: RemoteFunction0 {
    static var resources: Resources { Resources(cpus: 1, custom: ["second": 1]) }
    static func run() throws -> String { try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") }
}

/// `shipped`: deletes this program's own file first, so that no node can start it from a path,
/// as on machines that never had it; then joins the cluster (which ships the program from the
/// running process) and prints "program P" with the path a task on the second node ran from.
func reportProgramOfRemoteTask() async throws {
    let own = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    guard unlink(own) == 0 else { throw ClusterCheckFailed(description: "cannot delete \(own)") }
    try await Ray.withCluster(RayOptions()) { ray in
        report("program \(try await ray.get(try ProgramOfTask.remote()))")
    }
}

/// A counter other drivers find by name.
distributed actor SharedCounter: RayActor {
    typealias ActorSystem = RayActorSystem
    var value = 0
    init(actorSystem: RayActorSystem, arguments: NoArguments) { self.actorSystem = actorSystem }
    distributed func increment() -> Int {
        value += 1
        return value
    }
}

/// Two drivers of one cluster: `create` makes the detached counter `name` where the resource
/// `place` is, increments it and exits; `use` (another job) finds it by name and increments it.
func useNamedCounter(_ step: String, name: String, place: String) async throws {
    try await Ray.withCluster { ray in
        let counter: ActorHandle<SharedCounter>
        if step == "create" {
            counter = try await ray.createActor(SharedCounter.self, options: ActorOptions(resources: Resources(custom: [place: 1]),
                                                                                         name: name, detached: true))
        } else {
            counter = try await ray.actor(named: name)
        }
        let value = try await counter.actor.increment()
        FileHandle.standardOutput.write(Data("pid \(getpid()) on \(ray.nodeIPAddress) counted \(value)\n".utf8))
    }
}

/// Makes `count` bytes on the node with the `second` resource.
struct MakeBytesOnSecondNode: RemoteFunction1 {
    static var resources: Resources { Resources(cpus: 1, custom: ["second": 1]) }
    static func run(_ count: Int) -> NDArray<UInt8> { NDArray([UInt8](repeating: 7, count: count), shape: [count]) }
}

/// Reads bytes made elsewhere, on the node with the `second` resource.
struct SumBytesOnSecondNode: RemoteFunction1 {
    static var resources: Resources { Resources(cpus: 1, custom: ["second": 1]) }
    static func run(_ bytes: NDArray<UInt8>) -> Int { bytes.withUnsafeBufferPointer { $0.reduce(0) { $0 + Int($1) } } }
}

struct EchoOnSecondNode: RemoteFunction1 {
    static var resources: Resources { Resources(cpus: 0.5, custom: ["second": 0.5]) }
    static func run(_ value: Int) -> Int { value }
}

/// Cross-node traffic for `seconds`, for the memory soak (`Scripts/cluster-soak.sh`): arrays made
/// on the second node and read here, arrays put here and read there, small tasks and actor calls
/// there. Prints how many of each every 30 s.
func soak(seconds: Double) async throws {
    try await Ray.withCluster { ray in
        let counter = try await ray.createActor(SharedCounter.self, options: ActorOptions(resources: Resources(custom: ["second": 0.1])))
        let start = Date()
        var lastReport = start
        var rounds = 0, pulled = 0, pushed = 0, tasks = 0, calls = 0
        while Date().timeIntervalSince(start) < seconds {
            let arrays = try await ray.get(try (0..<8).map { _ in try MakeBytesOnSecondNode.remote(1 << 20) })
            pulled += arrays.count
            let shared = try ray.put(NDArray([UInt8](repeating: 1, count: 1 << 20), shape: [1 << 20]))
            let sums = try await ray.get(try (0..<4).map { _ in try SumBytesOnSecondNode.remote(shared) })
            guard sums.allSatisfy({ $0 == 1 << 20 }) else { throw ClusterCheckFailed(description: "a pushed array arrived wrong: \(sums)") }
            pushed += sums.count
            let echoes = try await ray.get(try (0..<100).map { try EchoOnSecondNode.remote($0) })
            guard echoes == Array(0..<100) else { throw ClusterCheckFailed(description: "echoes came back wrong") }
            tasks += echoes.count
            var refs: [ObjectRef<Int>] = []
            for _ in 0..<100 { refs.append(try await counter.remote { try await $0.increment() }) }
            calls += try await ray.get(refs).count
            rounds += 1
            if Date().timeIntervalSince(lastReport) >= 30 {
                lastReport = Date()
                FileHandle.standardOutput.write(Data("soak \(Int(lastReport.timeIntervalSince(start))) s: \(rounds) rounds, \(pulled) MB pulled, \(pushed) MB pushed, \(tasks) tasks, \(calls) actor calls\n".utf8))
            }
        }
        FileHandle.standardOutput.write(Data("soak done: \(rounds) rounds, \(pulled) MB pulled, \(pushed) MB pushed, \(tasks) tasks, \(calls) actor calls\n".utf8))
    }
}
