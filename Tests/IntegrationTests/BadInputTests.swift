import Foundation
import Glibc
import Testing
@testable import Ray
import RayTransport

extension ClusterTests {
    @Suite struct BadInputTests {
        @Test func valuesThatCannotBeEncodedFailAtTheCaller() async throws {
            try await withCluster { ray in
                let kept = try ray.put("still here")
                let error = try #require(throws: RayError.self) { try ray.put(Unencodable()) }
                #expect(error.description.contains("Unencodable"))
                let cycle = Node()
                cycle.next = cycle
                let deep = try #require(throws: RayError.self) { try ray.put(cycle) }
                #expect(deep.description.contains("maximum recursion depth"))
                #expect(throws: RayError.self) { try TakesUnencodable.remote(Unencodable()) }
                #expect(try await ray.get(kept) == "still here")
            }
        }

        @Test func valuesNestedAThousandDeepTravelAndDeeperOnesFailClearly() async throws {
            try await withCluster { ray in
                // Python Ray's limit is pickle's, about 1,000 levels.
                let list = Node.list(1000)
                defer { list.dismantle() }
                let ref = try ray.put(list)
                #expect(try await ray.get(LengthOfList.remote(ref)) == 1000)
                #expect(try await ray.get(LengthOfList.remote(list)) == 1000)
                let back = try await ray.get(ref)
                #expect(back.count == 1000)
                back.dismantle()
                // Far deeper: a clear error, and no stack overflow anywhere.
                let deep = Node.list(100_000)
                defer { deep.dismantle() }
                let error = try #require(throws: RayError.self) { try ray.put(deep) }
                #expect(error.description.contains("maximum recursion depth"))
                #expect(throws: RayError.self) { try LengthOfList.remote(deep) }
                #expect(try await ray.get(try Double2.remote(1)) == 2)
            }
        }

        @Test func malformedFramesCloseOnlyThatConnection() async throws {
            try await withCluster { ray in
                let kept = try ray.put([1, 2, 3])
                for garbage: [UInt8] in [[255, 255, 255, 255, 1], [5, 0, 0, 0, 99, 1, 2, 3, 4], [3, 0, 0, 0, 1, 0]] {
                    let fd = try UnixSocket.connect(path: ray.sessionDirectory + "/raylet.sock")
                    _ = garbage.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    shutdown(fd, Int32(SHUT_WR))  // a truncated frame, then end of file
                    var byte: UInt8 = 0
                    #expect(recv(fd, &byte, 1, 0) <= 0)  // the raylet closed it
                    close(fd)
                }
                let fd = try UnixSocket.connect(path: ray.sessionDirectory + "/gcs.sock")
                let junk: [UInt8] = [4, 0, 0, 0, 200, 1, 2, 3]
                _ = junk.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                var byte: UInt8 = 0
                #expect(recv(fd, &byte, 1, 0) <= 0)
                close(fd)
                #expect(try await ray.get(kept) == [1, 2, 3])
                #expect(try await ray.get(Double2.remote(4)) == 8)
                #expect(ray.serviceProcessIDs.allSatisfy(processIsAlive))
            }
        }
    }
}
