import RayObjectStore
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct SharedMemoryArenaTests {
    @Test func secondMappingOfTheSameFileSeesTheBytes() throws {
        let capacity = 1 << 20
        let arena = try SharedMemoryArena(capacity: capacity, name: "ray-test-arena")
        #expect(arena.capacity == capacity)
        let written = arena.buffer(offset: 4096, count: 256)
        for i in 0..<256 { written[i] = UInt8(i) }
        arena.base.storeBytes(of: 0xFEED_F00D, toByteOffset: capacity - 8, as: UInt64.self)

        let duplicate = dup(arena.fileDescriptor)
        #expect(duplicate >= 0)
        let client = try SharedMemoryArena(mapping: duplicate, capacity: capacity)
        #expect(client.base != arena.base)
        #expect(Array(client.buffer(offset: 4096, count: 256)) == (0..<256).map { UInt8($0) })
        #expect(client.base.load(fromByteOffset: capacity - 8, as: UInt64.self) == 0xFEED_F00D)

        // Writes from the client, as when it fills an object it created, reach the creator.
        client.base.storeBytes(of: 42, toByteOffset: 0, as: UInt32.self)
        #expect(arena.base.load(as: UInt32.self) == 42)
    }

    @Test func containsCoversExactlyTheMapping() throws {
        let arena = try SharedMemoryArena(capacity: 1 << 20, name: "ray-test-contains")
        #expect(arena.contains(arena.base))
        #expect(arena.contains(arena.base + (1 << 20) - 1))
        #expect(!arena.contains(arena.base + (1 << 20)))
        var local = 0
        withUnsafePointer(to: &local) { #expect(!arena.contains($0)) }
    }

    @Test func invalidCapacityIsRejected() {
        #expect(throws: SharedMemoryError.invalidCapacity(0)) { try SharedMemoryArena(capacity: 0, name: "ray-test") }
        #expect(throws: SharedMemoryError.invalidCapacity(-1)) { try SharedMemoryArena(mapping: 0, capacity: -1) }
    }

    @Test func mappingMoreThanTheFileHoldsIsRefused() throws {
        let arena = try SharedMemoryArena(capacity: 4096, name: "ray-test-small")
        let duplicate = dup(arena.fileDescriptor)
        defer { close(duplicate) }
        #expect(throws: SharedMemoryError.fileTooSmall(fileSize: 4096, capacity: 8192)) {
            try SharedMemoryArena(mapping: duplicate, capacity: 8192)
        }
    }

    @Test func systemCallErrorsNameTheCallAndTheReason() throws {
        let error = #expect(throws: SharedMemoryError.self) { try SharedMemoryArena(mapping: -1, capacity: 4096) }
        #expect(error == .systemCall(name: "fstat", errno: EBADF))
        let message = try #require(error).description
        #expect(message.contains("fstat failed") && message.contains("Bad file descriptor"))
    }
}
