import Testing
import RayObjectStore

@Suite struct ArenaAllocatorTests {
    @Test func offsetsAreAlignedAndSizesRoundedUp() throws {
        var allocator = ArenaAllocator(capacity: 4096)
        let sizes = [1, 63, 64, 65, 100, 200]
        var offsets: [Int] = []
        for size in sizes {
            let allocated = allocator.allocate(size)
            let offset = try #require(allocated)
            #expect(offset % 64 == 0)
            #expect(allocator.blockSize(at: offset) == (size + 63) / 64 * 64)
            offsets.append(offset)
        }
        #expect(offsets == [0, 64, 128, 192, 320, 448])
        #expect(allocator.bytesInUse == 64 * 3 + 128 * 2 + 256)

        var pages = ArenaAllocator(capacity: 1 << 20, alignment: 4096)
        let firstPage = pages.allocate(10), secondPage = pages.allocate(10)
        #expect(firstPage == 0 && secondPage == 4096)
    }

    @Test func capacityIsRoundedDownToTheAlignment() {
        var allocator = ArenaAllocator(capacity: 1000)
        #expect(allocator.capacity == 960)
        #expect(allocator.bytesFree == 960)
        let tooLarge = allocator.allocate(961), whole = allocator.allocate(960)
        #expect(tooLarge == nil && whole == 0)
    }

    @Test func freedSpaceIsReusedLowestOffsetFirst() {
        var allocator = ArenaAllocator(capacity: 1024)
        let offsets = (0..<3).map { _ in allocator.allocate(128) }
        #expect(offsets == [0, 128, 256])
        allocator.free(128)
        allocator.free(256)
        let reused = allocator.allocate(64)
        #expect(reused == 128)
        allocator.free(0)
        let reusedFirst = allocator.allocate(100)
        #expect(reusedFirst == 0)
        #expect(allocator.bytesInUse == 64 + 128)
    }

    @Test func freeBlocksCoalesceWithBothNeighbours() {
        var allocator = ArenaAllocator(capacity: 1024)
        let blocks = (0..<4).compactMap { _ in allocator.allocate(256) }
        #expect(blocks == [0, 256, 512, 768])
        #expect(allocator.largestFreeBlock == 0)
        allocator.free(blocks[1])
        allocator.free(blocks[2])
        #expect(allocator.largestFreeBlock == 512)
        allocator.free(blocks[0])
        #expect(allocator.largestFreeBlock == 768)
        allocator.free(blocks[3])
        #expect(allocator.largestFreeBlock == 1024)
        #expect(allocator.bytesInUse == 0)
        let whole = allocator.allocate(1024)
        #expect(whole == 0)
    }

    @Test func exhaustionReturnsNil() {
        var allocator = ArenaAllocator(capacity: 512)
        var count = 0
        while allocator.allocate(100) != nil { count += 1 }
        #expect(count == 4)
        #expect(allocator.bytesFree == 0)
        #expect(allocator.largestFreeBlock == 0)
        let empty = allocator.allocate(0)
        #expect(empty == nil)

        var unused = ArenaAllocator(capacity: 512)
        let impossible = [513, Int.max, -1].map { unused.allocate($0) }
        #expect(impossible == [nil, nil, nil])
        #expect(unused.bytesInUse == 0)
    }

    @Test func zeroSizeAllocationsGetDistinctAlignedBlocks() {
        var allocator = ArenaAllocator(capacity: 1024)
        let first = allocator.allocate(0), second = allocator.allocate(0)
        #expect(first == 0 && second == 64)
        #expect(allocator.blockSize(at: 0) == 64)
        #expect(allocator.bytesInUse == 128)
    }

    @Test func freeingAnUnknownOffsetChangesNothing() {
        var allocator = ArenaAllocator(capacity: 1024)
        let offset = 0
        #expect(allocator.allocate(256) == offset)
        let strays = [12345, offset + 64, -64, 2048].map { allocator.free($0) }
        #expect(strays == [false, false, false, false])
        #expect(allocator.bytesInUse == 256)
        let freed = allocator.free(offset), freedAgain = allocator.free(offset)
        #expect(freed && !freedAgain)
        #expect(allocator.bytesInUse == 0)
        #expect(allocator.largestFreeBlock == 1024)
    }

    /// Random allocations and frees checked against a model that only knows the live blocks:
    /// blocks never overlap, the byte counts add up, the largest free block is the largest gap
    /// (so coalescing is complete), and allocation is first-fit.
    @Test func randomOperationsMatchAModel() throws {
        let capacity = 64 * 1024
        var allocator = ArenaAllocator(capacity: capacity)
        var live: [Int: Int] = [:]
        var random = SplitMix64(seed: 0x5241_5953)

        for _ in 0..<5000 {
            if live.isEmpty || random.next() % 3 != 0 {
                let size = Int(random.next() % 3000)
                let needed = allocator.blockSize(for: size)
                let gaps = Self.gaps(live: live, capacity: capacity)
                let expected = gaps.first { $0.size >= needed }?.offset
                let offset = allocator.allocate(size)
                #expect(offset == expected)
                if let offset {
                    #expect(offset % 64 == 0)
                    live[offset] = needed
                }
            } else {
                let victim = live.keys.sorted()[Int(random.next() % UInt64(live.count))]
                let freed = allocator.free(victim)
                #expect(freed)
                live[victim] = nil
            }

            let sorted = live.sorted { $0.key < $1.key }
            for (left, right) in zip(sorted, sorted.dropFirst()) {
                #expect(left.key + left.value <= right.key, "blocks at \(left.key) and \(right.key) overlap")
            }
            let used = live.values.reduce(0, +)
            #expect(allocator.bytesInUse == used)
            #expect(allocator.bytesFree == capacity - used)
            #expect(allocator.largestFreeBlock == Self.gaps(live: live, capacity: capacity).map(\.size).max() ?? 0)
        }

        let freed = live.keys.map { allocator.free($0) }
        #expect(!freed.contains(false))
        #expect(allocator.largestFreeBlock == capacity)
    }

    /// The free runs between live blocks, lowest first.
    private static func gaps(live: [Int: Int], capacity: Int) -> [(offset: Int, size: Int)] {
        var gaps: [(offset: Int, size: Int)] = []
        var cursor = 0
        for (offset, size) in live.sorted(by: { $0.key < $1.key }) {
            if offset > cursor { gaps.append((cursor, offset - cursor)) }
            cursor = offset + size
        }
        if capacity > cursor { gaps.append((cursor, capacity - cursor)) }
        return gaps
    }
}
