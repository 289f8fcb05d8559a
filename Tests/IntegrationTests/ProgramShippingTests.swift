import Foundation
import Glibc
import Testing
@testable import Ray
import RayCore
import RayTransport

// Runs only where the `second` resource is, and says which program it runs as.
struct ProgramOnSecondNode: RemoteFunction0 {
    static var resources: Resources { Resources(cpus: 1, custom: ["second": 1]) }
    static func run() throws -> String { try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") }
}

extension ClusterTests {
/// Programs on every node: a driver's program is shipped through the control store, and a node
/// that does not have it fetches it (docs/ARCHITECTURE.md, "Programs on every node").
@Suite struct ProgramShippingTests {
    /// A driver whose program file is gone (it deletes its own copy before it joins, so no node
    /// can start it from a path, as on machines that never had it) still gets its task run on the
    /// second node, by a worker started from that node's fetched and verified copy.
    @Test func aNodeWithoutTheProgramFetchesItAndRunsTheTask() async throws {
        try await TestNodes.with(cpus: [1, 1], resources: [[:], ["second": 1]]) { nodes in
            var template = Array("/tmp/rtXXXXXX".utf8CString)
            let directory = String(cString: try #require(mkdtemp(&template)))
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let original = buildProductsDirectory() + "/RayTestDriver"
            let copy = directory + "/RayTestDriver"
            try FileManager.default.copyItem(atPath: original, toPath: copy)
            let (hash, size) = try SHA256.hash(path: original)
            let result = try runProgram(copy, ["shipped"], environment: [
                RayEnvironmentKey.address: nodes.address, RayEnvironmentKey.temporaryDirectory: nodes.roots[0],
                RayEnvironmentKey.logLevel: "debug",
            ], timeout: .seconds(90))
            #expect(result.succeeded, "\(result)")
            #expect(!FileManager.default.fileExists(atPath: copy), "the driver deleted its own program")
            let cached = "\(nodes.roots[1])/ray/executables_\(geteuid())/\(hash.hex)"
            #expect(result.output.contains("program \(cached)\n"), "\(result)")
            #expect(try SHA256.hash(path: cached).hash == hash, "the cached copy is the program")
            let stored = SessionLayout(directory: nodes.records[0].sessionDirectory).executables + "/\(hash.hex)"
            #expect(try SHA256.hash(path: stored).hash == hash, "the control store keeps it by its hash")
            // For the record: how long hashing, uploading and fetching the test driver took.
            let shipped = result.description.split(separator: "\n").first { $0.contains("hashed in") }
            let logs = SessionLayout(directory: nodes.records[1].sessionDirectory).logs
            let fetched = ((try? FileManager.default.contentsOfDirectory(atPath: logs)) ?? []).compactMap { name in
                try? String(contentsOfFile: logs + "/" + name, encoding: .utf8)
            }.joined().split(separator: "\n").first { $0.contains("fetched the program") }
            print("program of \(size) bytes; driver: \(shipped ?? "?"); node: \(fetched ?? "?")")
        }
    }

    /// A shipped program that cannot run on a node (here: not an executable at all; the same
    /// path as another architecture's binary or one missing its libraries) fails the job's tasks
    /// there, naming the node and the reason, and nothing hangs.
    @Test func aProgramThatCannotRunFailsTheTasksWithTheReason() async throws {
        try await TestNodes.with(cpus: [1, 1], resources: [[:], ["second": 1]]) { nodes in
            var template = Array("/tmp/rtXXXXXX".utf8CString)
            let directory = String(cString: try #require(mkdtemp(&template)))
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let notAProgram = directory + "/not-a-program"
            FileManager.default.createFile(atPath: notAProgram, contents: Data("just text\n".utf8))
            var options = RayOptions(address: nodes.address, temporaryDirectory: nodes.roots[0])
            options.shippedProgramForTesting = notAProgram
            try await Ray.withCluster(options) { ray throws in
                let error = await #expect(throws: TaskError.self) { try await ray.get(try ProgramOnSecondNode.remote()) }
                let message = error?.message ?? ""
                #expect(message.contains("no worker process could be started"), "\(message)")
                #expect(message.contains("on node ") && message.contains("(127.0.0.1)"), "\(message)")
                #expect(message.lowercased().contains("exec format error"), "\(message)")
                // Tasks that run on the driver's node (its own program, by path) are not affected.
                let address = try await ray.get(try NodeIPOfTask.remote())
                #expect(address == "127.0.0.1")
            }
        }
    }

    /// A shipped program whose shared libraries the node lacks exits before it registers; the
    /// tasks fail with the dynamic loader's own words and the node.
    @Test func aProgramMissingItsLibrariesFailsTheTasksWithTheLoadersWords() async throws {
        var template = Array("/tmp/rtXXXXXX".utf8CString)
        let directory = String(cString: try #require(mkdtemp(&template)))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "int ray_missing(void) { return 1; }\n".write(toFile: directory + "/missing.c", atomically: true, encoding: .utf8)
        try "int ray_missing(void);\nint main(void) { return ray_missing(); }\n".write(toFile: directory + "/main.c", atomically: true, encoding: .utf8)
        let library = try runProgram("/bin/sh", ["-c", "cd \(directory) && cc -shared -fPIC -o libraymissing.so missing.c && cc -o program main.c -L. -lraymissing && rm libraymissing.so"])
        try #require(library.succeeded, "\(library)")
        try await TestNodes.with(cpus: [1, 1], resources: [[:], ["second": 1]]) { nodes in
            var options = RayOptions(address: nodes.address, temporaryDirectory: nodes.roots[0])
            options.shippedProgramForTesting = directory + "/program"
            try await Ray.withCluster(options) { ray throws in
                let error = await #expect(throws: TaskError.self) { try await ray.get(try ProgramOnSecondNode.remote()) }
                let message = error?.message ?? ""
                #expect(message.contains("on node ") && message.contains("before it registered"), "\(message)")
                #expect(message.contains("error while loading shared libraries: libraymissing.so"), "\(message)")
            }
        }
    }
}
}
