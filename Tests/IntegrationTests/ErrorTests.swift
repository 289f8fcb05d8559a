import Foundation
import Testing
@testable import Ray

extension ClusterTests {
    @Suite struct ErrorTests {
        @Test func afterTheRayletDiesEveryCallSaysTheConnectionIsLost() async throws {
            try await withCluster { ray in
                kill(ray.serviceProcessIDs[1], SIGKILL)
                #expect(await eventually { (try? ray.put(2)) == nil })
                let lost = ClusterCoreWorker.lostRayletConnection
                #expect(throws: lost) { try ray.put(3) }
                #expect(throws: lost) { try Double2.remote(4) }
            }
        }

        @Test func aThrowingTaskRethrowsAtGetWithItsContext() async throws {
            try await withCluster { ray in
                let failed = try Thrower.remote("the input was odd")
                let error = try await #require(throws: TaskError.self) { try await ray.get(failed) }
                #expect(error.kind == .remoteFunctionThrew)
                #expect(error.functionName.hasSuffix("Thrower"))
                #expect(error.message.contains("failed because the input was odd"))
                #expect(error.workerPID != getpid() && error.workerPID > 0)
                #expect(error.nodeID == ray.nodeID)
                #expect(error.description.contains("Thrower"))
                #expect(error.description.contains("pid \(error.workerPID)"))

                let dependent = try Double2.remote(try Double2.remote(failed))
                let propagated = try await #require(throws: TaskError.self) { try await ray.get(dependent) }
                #expect(propagated == error)

                let deadline = Date().addingTimeInterval(5)
                var recorded: [TaskError] = []
                while Date() < deadline {
                    recorded = try await ray.errorInfo()
                    if !recorded.isEmpty { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(recorded.count == 1)
                #expect(recorded.first?.message.contains("the input was odd") == true)
            }
        }

        @Test func aCrashedWorkerGivesWorkerDied() async throws {
            try await withCluster { ray in
                let error = try await #require(throws: TaskError.self) { try await ray.get(try Crasher.remote()) }
                #expect(error.kind == .workerDied)
                #expect(error.description.contains("worker died"))
                #expect(try await ray.get(Double2.remote(5)) == 10)
            }
        }

        @Test func aTaskNeedingMoreThanTheClusterFailsAtOnce() async throws {
            try await withCluster(RayOptions(cpus: 1, gpus: 1)) { ray in
                let ref = try UseGPU.options(resources: Resources(gpus: 2)).remote(0)
                let error = try await #require(throws: TaskError.self) { try await ray.get(ref) }
                #expect(error.kind == .infeasible)
                #expect(error.message.contains("GPU: needs 2, the cluster has 1"))
                let custom = try Stamp.options(resources: Resources(custom: ["slot": 1])).remote(1)
                let missing = try await #require(throws: TaskError.self) { try await ray.get(custom) }
                #expect(missing.message.contains("slot: needs 1, the cluster has 0"))
            }
        }
    }
}
