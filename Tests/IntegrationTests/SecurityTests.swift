import Foundation
import Glibc
import RayCore
import Testing
@testable import Ray
import RayTransport

extension ClusterTests {
    /// What a local process that is not part of the session can do to it: nothing.
    @Suite struct SecurityTests {
        private static func secret(of ray: Ray) throws -> SessionSecret {
            try #require(ray.core as? ClusterCoreWorker).secret
        }

        /// Whether the service closed the connection: a read sees end-of-file within 5 seconds.
        private static func closedByService(_ connection: FramedConnection) -> Bool {
            var pollfd = Glibc.pollfd(fd: connection.fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pollfd, 1, 5000) == 1 else { return false }
            return (try? connection.receive()) == nil
        }

        @Test func theSessionIsPrivateToItsUser() async throws {
            let old = umask(0)
            defer { umask(old) }
            try await withCluster { ray in
                var info = stat()
                #expect(stat(ray.sessionDirectory, &info) == 0)
                #expect(info.st_mode & 0o777 == 0o700)
                for socket in ["gcs.sock", "raylet.sock"] {
                    #expect(stat(ray.sessionDirectory + "/" + socket, &info) == 0)
                    #expect(info.st_mode & 0o777 == 0o600)
                }
            }
        }

        @Test func servicesRefuseConnectionsWithoutTheSessionSecret() async throws {
            try await withCluster { ray in
                let kept = try ray.put("kept")
                for socket in ["gcs.sock", "raylet.sock"] {
                    let connection = try FramedConnection.connect(path: ray.sessionDirectory + "/" + socket, secret: SessionSecret.random())
                    defer { connection.close() }
                    try? connection.send(.registerJob(request: 1))
                    #expect(Self.closedByService(connection))
                }
                #expect(try await ray.get(kept) == "kept")
            }
        }

        @Test func aDriverMayNotNameAnotherProgramForItsWorkers() async throws {
            try await withCluster { ray in
                let connection = try FramedConnection.connect(path: ray.sessionDirectory + "/raylet.sock", secret: try Self.secret(of: ray))
                defer { connection.close() }
                try connection.send(.register(ClientRegistration(kind: .driver, pid: getpid(), jobID: JobID(77), executablePath: "/bin/sh")))
                // Refused before the store's descriptor is sent.
                #expect(throws: TransportError.self) { try connection.receiveDescriptor() }
                #expect(try await ray.get(try Double2.remote(2)) == 4)
            }
        }

        @Test func aProcessWithAForgedWorkerTokenGetsNoTask() async throws {
            try await withCluster(RayOptions(cpus: 1)) { ray in
                let connection = try FramedConnection.connect(path: ray.sessionDirectory + "/raylet.sock", secret: try Self.secret(of: ray))
                defer { connection.close() }
                let job = (try #require(ray.core as? ClusterCoreWorker)).jobID
                try connection.send(.register(ClientRegistration(kind: .worker, pid: getpid(), jobID: job, workerToken: 1)))
                #expect(throws: TransportError.self) { try connection.receiveDescriptor() }
                // The real workers still run the job's tasks and nobody else answers for them.
                let refs = try (0..<20).map { try Double2.remote($0) }
                let expected = (0..<20).map { $0 * 2 }
                #expect(try await ray.get(refs) == expected)
            }
        }

        @Test func aSessionParentThatAnotherUserControlsIsRefused() throws {
            let root = "/tmp/ray-parent-test-\(getpid())-\(UInt32.random(in: 0 ... .max))"
            #expect(mkdir(root, 0o700) == 0)
            defer { try? FileManager.default.removeItem(atPath: root) }
            // Writable by everyone and not sticky: another user could swap the sessions in it.
            // One of ours is made sticky (Python Ray leaves /tmp/ray so); another's is refused.
            #expect(mkdir(root + "/ray", 0o700) == 0)
            #expect(chmod(root + "/ray", 0o777) == 0)
            let inShared = try SessionDirectory.create(root: root)
            var shared = stat()
            #expect(stat(root + "/ray", &shared) == 0)
            #expect(shared.st_mode & 0o7777 == 0o1777)
            #expect(rmdir(inShared) == 0)
            #expect(rmdir(root + "/ray") == 0)
            #expect(mkdir(root + "/ray", 0o700) == 0)
            #expect(chmod(root + "/ray", 0o777) == 0)
            if geteuid() == 0 {
                #expect(chown(root + "/ray", 65534, 65534) == 0)
                #expect(throws: RayError.self) { try SessionDirectory.create(root: root) }
            }
            #expect(rmdir(root + "/ray") == 0)
            // A link, wherever it points.
            #expect(symlink("/tmp", root + "/ray") == 0)
            #expect(throws: RayError.self) { try SessionDirectory.create(root: root) }
            #expect(unlink(root + "/ray") == 0)
            // Owned by another user (needs root to set up).
            if geteuid() == 0 {
                #expect(mkdir(root + "/ray", 0o755) == 0)
                #expect(chown(root + "/ray", 65534, 65534) == 0)
                let error = #expect(throws: RayError.self) { try SessionDirectory.create(root: root) }
                #expect(error?.description.contains("belongs to user 65534") == true)
                #expect(rmdir(root + "/ray") == 0)
            }
            // A fresh parent is made sticky, and the session in it private.
            let session = try SessionDirectory.create(root: root)
            var info = stat()
            #expect(stat(root + "/ray", &info) == 0)
            #expect(info.st_mode & 0o7777 == 0o1777)
            #expect(stat(session, &info) == 0)
            #expect(info.st_mode & 0o777 == 0o700)
        }
    }
}
