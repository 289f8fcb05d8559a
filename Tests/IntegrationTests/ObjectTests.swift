import Foundation
import Testing
@testable import Ray

extension ClusterTests {
    @Suite struct ObjectTests {
        @Test func smallObjectsAFullStoreCannotHoldBecomeErrorsNotHangs() async throws {
            try await withCluster(RayOptions(cpus: 1, objectStoreMemory: 8 << 20)) { ray in
                // Fill the store with held arrays until a large put is refused.
                var held = [ObjectRef<[Double]>]()
                while let ref = try? ray.put([Double](repeating: 1, count: 1 << 17)) { held.append(ref) }
                // Puts of up to 64 KiB are one-way: those that do not fit must turn into errors.
                // Ever smaller ones fill the store to the last bytes, where not even the error
                // object of a failed put fits.
                let sizes = Array(repeating: 7000, count: 40) + Array(repeating: 500, count: 300) + Array(repeating: 1, count: 300)
                let small = try sizes.map { try ray.put([Double](repeating: 1, count: $0)) }
                let (ready, _) = try await ray.wait(small, numReturns: small.count, timeout: .seconds(30))
                #expect(ready.count == small.count)
                // Memory frees up; what could not be stored stays an error that tasks given it see.
                #expect(held.count > 0)
                held.removeAll()
                var failures = [Int: Int]()
                for (ref, size) in zip(small, sizes) {
                    do {
                        #expect(try await ray.get(try CountElements.remote(ref)) == size)
                    } catch let error as TaskError {
                        #expect(error.kind == .objectStore)
                        #expect(error.message.contains("object store full"))
                        failures[size, default: 0] += 1
                    }
                }
                #expect(failures[7000, default: 0] > 0)
                #expect(failures[1, default: 0] > 0)
            }
        }

        @Test func cancelledGetsAndWaitsThrowAtOnce() async throws {
            try await withCluster { ray in
                // Sleeps far longer than the test may take: only cancellation ends the waits.
                let slow = try Napper.remote(600)
                let getting = Task { try await ray.get(slow) }
                let waiting = Task { try await ray.wait([slow], numReturns: 1, timeout: nil) }
                try await Task.sleep(for: .milliseconds(200))
                getting.cancel()
                waiting.cancel()
                await #expect(throws: CancellationError.self) { try await getting.value }
                await #expect(throws: CancellationError.self) { try await waiting.value }
                // The connection still serves later calls.
                #expect(try await ray.get(try Double2.remote(21)) == 42)
            }
        }

        @Test func putAndGetOfValuesAndLists() async throws {
            try await withCluster { ray in
                let x = try ray.put([1, 2, 3])
                #expect(try await ray.get(x) == [1, 2, 3])
                let many = try (0..<10).map { try ray.put($0) }
                #expect(try await ray.get(many) == Array(0..<10))
                #expect(try await ray.get([many[3], many[3], many[1]]) == [3, 3, 1])
                let dictionary = try ray.put(["key1": ["value"]])
                #expect(try await ray.get(dictionary) == ["key1": ["value"]])
            }
        }

        @Test func refsPrintCompareAndHash() async throws {
            try await withCluster { ray in
                let a = try ray.put(1)
                let b = try ray.put(1)
                #expect(a != b)
                #expect(a == a)
                #expect(Set([a, a, b]).count == 2)
                #expect(a.description.count == "ObjectRef()".count + 40)
                #expect(try await a.get() == 1)
            }
        }

        @Test func numericArraysOfEveryElementTypeRoundTrip() async throws {
            try await withCluster { ray in
                #expect(try await ray.get(ray.put([Float](repeating: 0.5, count: 1000))) == [Float](repeating: 0.5, count: 1000))
                #expect(try await ray.get(ray.put([Double](arrayLiteral: 1, 2.5))) == [1, 2.5])
                #expect(try await ray.get(ray.put([Int32](arrayLiteral: -1, 7))) == [-1, 7])
                #expect(try await ray.get(ray.put([Int64](arrayLiteral: .min, .max))) == [.min, .max])
                #expect(try await ray.get(ray.put([UInt8](0...255))) == [UInt8](0...255))
                let matrix = NDArray<Double>((0..<6).map(Double.init), shape: [2, 3])
                let back = try await ray.get(try ray.put(matrix))
                #expect(back.shape == [2, 3])
                #expect(back[[1, 2]] == 5)
                #expect(back == matrix)
            }
        }

        @Test func getOfAnArrayIsAZeroCopyViewOfTheStore() async throws {
            try await withCluster { ray in
                let ref = try MakeFloats.remote(1_000_000)
                let view = try await ray.get(ref)
                #expect(view.isStoreView)
                view.withUnsafeBufferPointer { buffer in
                    #expect(ray.isInObjectStore(UnsafeRawPointer(buffer.baseAddress!)))
                    #expect(Int(bitPattern: buffer.baseAddress!) % 64 == 0)
                }
                #expect(view[999_999] == 999_999)
                let again = try await ray.get(ref)
                #expect(again.withUnsafeBufferPointer { $0.baseAddress } == view.withUnsafeBufferPointer { $0.baseAddress })
                #expect(try await ray.get(SumFloats.remote(ref)) == 499_999_500_000)
            }
        }

        @Test func waitReturnsReadyAndRemaining() async throws {
            try await withCluster { ray in
                let refs = try [0.0, 0.05, 3.0].map { try Napper.remote($0) }
                let (ready, remaining) = try await ray.wait(refs, numReturns: 2)
                #expect(ready.count == 2)
                #expect(Set(ready + remaining) == Set(refs))
                #expect(remaining == [refs[2]])
                let (one, rest) = try await ray.wait([refs[2]], timeout: .milliseconds(50))
                #expect(one.isEmpty && rest == [refs[2]])
                await #expect(throws: RayError.self) { try await ray.wait([refs[0], refs[0]]) }
            }
        }

        @Test func theSameSeedGivesTheSameIDs() async throws {
            func run() async throws -> [String] {
                try await withCluster(RayOptions(cpus: 1, objectIDSeed: 1234)) { ray in
                    [try ray.put(1).description, try Double2.remote(1).description, try ray.put("x").description]
                }
            }
            let first = try await run()
            let second = try await run()
            #expect(first == second)
        }

        @Test func evictionKeepsReferencedObjectsAndRejectsOversizedOnes() async throws {
            try await withCluster(RayOptions(cpus: 1, objectStoreMemory: 8 << 20)) { ray in
                for _ in 0..<40 { _ = try ray.put([UInt8](repeating: 1, count: 1 << 20)) }
                let kept = try (0..<6).map { _ in try ray.put([UInt8](repeating: 2, count: 1 << 20)) }
                #expect(throws: RayError.self) { try ray.put([UInt8](repeating: 3, count: 3 << 20)) }
                #expect(throws: RayError.self) { try ray.put([UInt8](repeating: 3, count: 16 << 20)) }
                for ref in kept { #expect(try await ray.get(ref).count == 1 << 20) }
            }
        }
    }
}
