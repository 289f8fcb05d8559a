import Foundation
import Testing
@testable import Ray

extension ClusterTests {
    @Suite struct ResourceTests {
        @Test func gpuTasksGetTheirOwnGPUs() async throws {
            try await withCluster(RayOptions(cpus: 4, gpus: 2)) { ray in
                let reports = try await ray.get(try (0..<2).map { _ in try UseGPU.remote(0.3) })
                #expect(reports.allSatisfy { $0.ids.count == 1 })
                #expect(Set(reports.flatMap(\.ids)) == [0, 1])
                for report in reports { #expect(report.visibleDevices == report.ids.map(String.init).joined(separator: ",")) }
            }
        }

        @Test func tasksWaitInOrderForAScarceResource() async throws {
            try await withCluster(RayOptions(cpus: 4, customResources: ["slot": 1])) { ray in
                let clock = ContinuousClock()
                let start = clock.now
                let labels = try await ray.get(try (0..<4).map { try Stamp.remote($0) })
                #expect(labels == [0, 1, 2, 3])
                // One slot: the four 20 ms tasks cannot overlap.
                #expect(clock.now - start >= .milliseconds(80))
            }
        }
    }
}
