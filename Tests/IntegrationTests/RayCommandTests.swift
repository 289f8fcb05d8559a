import Foundation
import Glibc
import Testing
@testable import Ray
import RayTransport

extension ClusterTests {
    /// The `ray` command on this machine: start, status, stop, and its one-line errors.
    @Suite struct RayCommandTests {
        /// Runs `ray` with a private RAY_TMPDIR.
        static func ray(_ arguments: [String], root: String) throws -> ProgramResult {
            try runProgram(try rayCommand(), arguments, environment: ["RAY_TMPDIR": root], timeout: .seconds(60))
        }

        static func withRoot<R>(_ body: (String) async throws -> R) async throws -> R {
            let root = try OneMachineCluster.shortTemporaryDirectory()
            defer {
                _ = NodeLauncher.stopAll(root: root, force: true)
                try? FileManager.default.removeItem(atPath: root)
            }
            return try await body(root)
        }

        @Test func startStatusStopAndTheErrorsOfStart() async throws {
            try await Self.withRoot { root in
                let port = String(try TestNodes.freePort())
                let started = try Self.ray(["start", "--head", "--port", port, "--num-cpus", "2", "--resources", #"{"disk": 3}"#], root: root)
                #expect(started.succeeded, "\(started)")
                #expect(started.output.contains("ray start --address 127.0.0.1:\(port) --token-file \(root)/ray/session_"), "\(started)")
                let record = try #require(NodeRecord.all(root: root).first)
                #expect(record.services.map(\.role) == ["gcs", "raylet"])
                #expect(record.services.allSatisfy(NodeRecord.isRunning))

                let status = try Self.ray(["status"], root: root)
                #expect(status.succeeded, "\(status)")
                #expect(status.output.contains("1 node alive, 0 dead"), "\(status)")
                #expect(status.output.contains("CPU 0/2, disk 0/3"), "\(status)")

                // A second head on the same address.
                let again = try Self.ray(["start", "--head", "--port", port], root: root)
                #expect(again.status == 1 && again.error.contains("a head node already runs at 127.0.0.1:\(port)"), "\(again)")
                // A taken port (by another root, so the record does not say so).
                try await Self.withRoot { other in
                    let taken = try Self.ray(["start", "--head", "--port", port], root: other)
                    #expect(taken.status == 1 && taken.error.contains("cannot listen on 127.0.0.1:\(port): the address is in use"), "\(taken)")
                }
                // An unreachable head, and a wrong token.
                let tokenFile = root + "/other-token"
                try ClusterToken.random().write(to: tokenFile)
                let unreachable = try Self.ray(["start", "--address", "127.0.0.1:\(try TestNodes.freePort())", "--token-file", tokenFile], root: root)
                #expect(unreachable.status == 1 && unreachable.error.contains("cannot reach the head"), "\(unreachable)")
                let wrongToken = try Self.ray(["start", "--address", "127.0.0.1:\(port)", "--token-file", tokenFile], root: root)
                #expect(wrongToken.status == 1 && wrongToken.error.contains("refused the cluster token"), "\(wrongToken)")
                // Neither usage mistake starts anything.
                let neither = try Self.ray(["start"], root: root)
                #expect(neither.status != 0 && neither.error.contains("either --head or --address"), "\(neither)")

                let stopped = try Self.ray(["stop"], root: root)
                #expect(stopped.succeeded && stopped.output.contains("Stopped raylet"), "\(stopped)")
                #expect(!record.services.contains(where: NodeRecord.isRunning))
                #expect(!FileManager.default.fileExists(atPath: record.sessionDirectory))
                let twice = try Self.ray(["stop"], root: root)
                #expect(twice.succeeded && twice.output.contains("No Ray services"), "\(twice)")
            }
        }

        @Test func everyCommandHasHelp() throws {
            for command in [[], ["start"], ["stop"], ["status"]] {
                let help = try runProgram(try rayCommand(), command + ["--help"], timeout: .seconds(30))
                #expect(help.succeeded && help.output.contains("USAGE: ray"), "\(help)")
            }
        }
    }
}
