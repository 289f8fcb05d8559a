import Foundation
import RayCore
import RayGCS
import RayTransport
import Testing

/// The server through its socket, in process: what the tables cannot show alone, which
/// connection's closing ends a job.
@Suite(.timeLimit(.minutes(1))) struct GCSServerTests {
    /// A server on a fresh socket path, stopped when `body` returns.
    private static let secret = SessionSecret.random()

    private static func withServer(_ body: (String) async throws -> Void) async throws {
        let path = NSTemporaryDirectory() + "gcs-test-\(getpid())-\(UInt32.random(in: 0 ... .max)).sock"
        let server = try GCSServer(socketPath: path, secret: secret, log: RayLogging.logger("gcs test"))
        server.start()
        defer { server.stop() }
        try await body(path)
    }

    private static func connect(_ path: String) throws -> FramedConnection {
        try FramedConnection.connect(path: path, secret: secret)
    }

    private static func errors(of job: JobID, via connection: FramedConnection) throws -> [ErrorRecord] {
        try connection.send(.getErrors(request: 7, jobID: job))
        guard case let .errorsReply(7, errors) = try connection.receive() else {
            Issue.record("unexpected reply to getErrors")
            return []
        }
        return errors
    }

    private static func failure(_ n: Int, job: JobID) -> ErrorRecord {
        ErrorRecord(kind: .taskFailed, jobID: job, taskID: TaskID(high: 1, low: UInt64(n)), functionName: "f",
                    workerPID: 42, nodeID: NodeID(9), message: "failure \(n)")
    }

    @Test func errorsAreBoundedPerJobAndGoWhenTheDriverDisconnects() async throws {
        try await Self.withServer { path in
            let driver = try Self.connect(path)
            try driver.send(.registerJob(request: 1))
            guard case let .jobRegistered(1, job) = try driver.receive() else {
                Issue.record("unexpected reply to registerJob")
                return
            }

            // A worker reports more failures than the table keeps, then goes away.
            let worker = try Self.connect(path)
            let count = 10_005
            try worker.send((0..<count).map { .reportError(Self.failure($0, job: job)) })
            let kept = try Self.errors(of: job, via: worker)
            #expect(kept.count == 10_001)
            #expect(kept.first?.kind == .system)
            #expect(kept.first?.message.contains("5 older errors of job \(job) were dropped") == true)
            #expect(kept.dropFirst().first == Self.failure(5, job: job))
            #expect(kept.last == Self.failure(count - 1, job: job))
            worker.close()

            // A worker's connection closing does not end the job.
            #expect(try Self.errors(of: job, via: driver).count == 10_001)

            // The driver's does: the job's errors go.
            driver.close()
            let reader = try Self.connect(path)
            defer { reader.close() }
            var left = try Self.errors(of: job, via: reader)
            for _ in 0..<500 where !left.isEmpty {
                try await Task.sleep(for: .milliseconds(10))
                left = try Self.errors(of: job, via: reader)
            }
            #expect(left.count == 0)
        }
    }
}
