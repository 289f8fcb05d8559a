import Foundation
import Testing
@testable import Ray

/// Every integration test starts a real local cluster (control store, raylet, worker processes)
/// through the public API. One cluster per process at a time, so the suites run one by one.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ClusterTests {}

/// `Ray.withCluster` with the tests' default of 2 CPUs.
func withCluster<R>(_ options: RayOptions = RayOptions(cpus: 2), _ body: (Ray) async throws -> R) async throws -> R {
    try await Ray.withCluster(options, body)
}

/// Whether a process with this ID exists and is not a zombie.
func processIsAlive(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
    guard let close = stat.lastIndex(of: ")") else { return false }
    let state = stat[stat.index(close, offsetBy: 2)]
    return state != "Z" && state != "X"
}

/// The live children of `parent`.
func childProcesses(of parent: Int32) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap(Int32.init).filter { pid in
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
        return fields.count > 1 && Int32(fields[1]) == parent && processIsAlive(pid)
    }
}

/// Polls `condition` until it holds or `seconds` pass.
func eventually(within seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}
