import Foundation
import Glibc
import RayCore
import Testing
@testable import Raylet

@Suite(.timeLimit(.minutes(1))) struct WorkerLauncherTests {
    /// A "worker" that fails the way one that cannot reach the control store does.
    private static func failingProgram() throws -> String {
        let path = NSTemporaryDirectory() + "failing-worker-\(getpid())-\(UInt32.random(in: 0 ... .max)).sh"
        try "#!/bin/sh\necho starting >&2\necho 'cannot reach the control store' >&2\nexit 3\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    private static func exit(of launcher: WorkerLauncher, token: UInt64) async throws -> WorkerLauncher.Exit? {
        for _ in 0..<500 {
            if let exit = launcher.reap().first(where: { $0.token == token }) { return exit }
            try await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    @Test(arguments: [false, true])
    func aWorkerThatExitsEarlyLeavesItsLastWords(toLogFiles: Bool) async throws {
        let program = try Self.failingProgram()
        defer { unlink(program) }
        let logs = NSTemporaryDirectory() + "worker-logs-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        if toLogFiles { mkdir(logs, 0o700) }
        defer { try? FileManager.default.removeItem(atPath: logs) }
        let launcher = WorkerLauncher(socketPath: "/nonexistent", nodeID: NodeID(1), logDirectory: toLogFiles ? logs : nil)
        try launcher.spawn(job: JobID(1), executable: program, token: 7)
        let exit = try #require(try await Self.exit(of: launcher, token: 7))
        #expect(exit.status == "exited with status 3")
        let words = launcher.lastWords(of: 7)
        #expect(words == "starting\ncannot reach the control store")
        #expect(launcher.lastWords(of: 7).isEmpty)
    }
}
