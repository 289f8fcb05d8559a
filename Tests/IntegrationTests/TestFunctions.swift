import Foundation
import Ray

// Remote functions used by the integration tests. They live in the test bundle, which the
// workers run again in worker mode.

struct Double2: RemoteFunction1 {
    static func run(_ x: Int) -> Int { x * 2 }
}

struct Sum3: RemoteFunction3 {
    static func run(_ a: Int, _ b: Int, _ c: Int) -> Int { a + b + c }
}

struct Concat6: RemoteFunction6 {
    static func run(_ a: String, _ b: String, _ c: String, _ d: String, _ e: String, _ f: String) -> String { a + b + c + d + e + f }
}

struct Constant: RemoteFunction0 {
    static func run() -> String { "constant" }
}

struct WorkerPID: RemoteFunction0 {
    static func run() -> Int32 { getpid() }
}

struct CountElements: RemoteFunction1 {
    static func run(_ values: [Double]) -> Int { values.count }
}

struct SumFloats: RemoteFunction1 {
    static func run(_ values: NDArray<Float>) -> Double { values.withUnsafeBufferPointer { $0.reduce(0) { $0 + Double($1) } } }
}

struct MakeFloats: RemoteFunction1 {
    static func run(_ count: Int) -> NDArray<Float> { NDArray((0..<count).map(Float.init), shape: [count]) }
}

struct Napper: RemoteFunction1 {
    static func run(_ seconds: Double) async throws -> Double {
        try await Task.sleep(for: .seconds(seconds))
        return seconds
    }
}

struct SplitPair: RemoteFunction1 {
    static func run(_ text: String) -> Returns2<String, Int> { Returns2(text.uppercased(), text.count) }
}

struct SubExperiment: RemoteFunction2 {
    static func run(_ i: Int, _ j: Int) -> Int { i + j }
}

struct RunExperiment: RemoteFunction1 {
    static func run(_ i: Int) async throws -> Int {
        let refs = try (0..<10).map { try SubExperiment.remote(i, $0) }
        return try await Ray.current().get(refs).reduce(0, +)
    }
}

/// Recursion through remote calls: each level waits on the next, holding a worker.
struct NestedDepth: RemoteFunction1 {
    static func run(_ depth: Int) async throws -> Int {
        guard depth > 0 else { return 0 }
        return try await Ray.current().get(try NestedDepth.remote(depth - 1)) + 1
    }
}

struct PutInsideTask: RemoteFunction1 {
    static func run(_ value: String) async throws -> ObjectRef<String> { try Ray.current().put(value) }
}

struct Holder: Codable, Sendable {
    var name: String
    var ref: ObjectRef<[Int]>
}

struct ReadHolder: RemoteFunction1 {
    static func run(_ holder: Holder) async throws -> Int { try await Ray.current().get(holder.ref).reduce(0, +) }
}

struct Failure: Error, CustomStringConvertible {
    var reason: String
    var description: String { "failed because \(reason)" }
}

struct Thrower: RemoteFunction1 {
    static func run(_ reason: String) throws -> Int { throw Failure(reason: reason) }
}

struct Crasher: RemoteFunction0 {
    static func run() -> Int { exit(3) }
}

struct GPUReport: Codable, Sendable, Equatable {
    var ids: [Int]
    var visibleDevices: String
}

struct UseGPU: RemoteFunction1 {
    static var resources: Resources { Resources(cpus: 1, gpus: 1) }
    static func run(_ hold: Double) async throws -> GPUReport {
        let visible = ProcessInfo.processInfo.environment["CUDA_VISIBLE_DEVICES"] ?? "<unset>"
        let ids = Ray.gpuIDs
        try await Task.sleep(for: .seconds(hold))
        return GPUReport(ids: ids, visibleDevices: visible)
    }
}

struct Stamp: RemoteFunction1 {
    static var resources: Resources { Resources(custom: ["slot": 1]) }
    static func run(_ label: Int) async throws -> Int {
        try await Task.sleep(for: .milliseconds(20))
        return label
    }
}

struct Say: RemoteFunction1 {
    static func run(_ text: String) -> Bool {
        print(text)
        return true
    }
}

final class Node: Codable, @unchecked Sendable {
    var next: Node?

    init(next: Node? = nil) { self.next = next }

    /// A list of `count` nodes.
    static func list(_ count: Int) -> Node {
        var head = Node()
        for _ in 1..<count { head = Node(next: head) }
        return head
    }

    var count: Int {
        var n = 1
        var node = self
        while let next = node.next { n += 1; node = next }
        return n
    }

    /// Releases a long list node by node: letting it go at once would recurse once per node.
    func dismantle() {
        var node = next
        next = nil
        while let current = node {
            node = current.next
            current.next = nil
        }
    }
}

struct LengthOfList: RemoteFunction1 {
    static func run(_ list: Node) -> Int {
        defer { list.dismantle() }
        return list.count
    }
}

struct Unencodable: Codable, Sendable {
    func encode(to encoder: any Encoder) throws {
        throw EncodingError.invalidValue(self, .init(codingPath: [], debugDescription: "Unencodable refuses"))
    }

    init() {}
    init(from decoder: any Decoder) throws {}
}

struct TakesUnencodable: RemoteFunction1 {
    static func run(_ value: Unencodable) -> Int { 0 }
}
