/// Hands out aligned byte ranges of an arena: pure bookkeeping over offsets in `[0, capacity)`,
/// it never touches memory.
///
/// Free space is a list of blocks sorted by offset and searched first-fit, so the lowest free
/// offset that fits wins. That keeps live objects packed towards the start of the arena and
/// reuses recently freed pages, which the kernel has already faulted in, before touching fresh
/// ones. Freed blocks merge with free neighbours, so fragmentation only comes from live blocks.
/// Every operation is O(number of free blocks), which stays small at a node's object counts.
public struct ArenaAllocator: Sendable {
    /// A run of free bytes.
    private struct Block {
        var offset: Int
        var size: Int
        var end: Int { offset + size }
    }

    /// The managed bytes: the capacity passed to `init`, rounded down to a whole number of
    /// alignment units so that every block size, and therefore every offset, stays aligned.
    public let capacity: Int

    /// Every offset handed out is a multiple of this, and every block spans a multiple of it.
    public let alignment: Int

    /// Free blocks sorted by offset; adjacent blocks are always merged, so no two touch.
    private var freeBlocks: [Block]

    /// Size (rounded up to the alignment) of each live block, keyed by its offset.
    private var liveBlocks: [Int: Int] = [:]

    /// The sum of the sizes of live blocks, in bytes.
    public private(set) var bytesInUse = 0

    /// - Parameters:
    ///   - capacity: bytes to manage; bytes past the last whole alignment unit are never used.
    ///   - alignment: a power of two; 64 keeps objects on their own cache lines.
    public init(capacity: Int, alignment: Int = 64) {
        precondition(alignment > 0 && alignment & (alignment - 1) == 0, "alignment must be a power of two")
        precondition(capacity >= 0, "capacity must not be negative")
        self.alignment = alignment
        self.capacity = capacity & ~(alignment - 1)
        freeBlocks = self.capacity > 0 ? [Block(offset: 0, size: self.capacity)] : []
    }

    /// Bytes not in any live block (possibly split across several free blocks).
    public var bytesFree: Int { capacity - bytesInUse }

    /// The size of the largest single allocation that would currently succeed.
    public var largestFreeBlock: Int { freeBlocks.lazy.map(\.size).max() ?? 0 }

    /// The bytes actually reserved for a request of `size` bytes: rounded up to the alignment,
    /// and at least one alignment unit so that even empty objects get a distinct offset.
    public func blockSize(for size: Int) -> Int {
        let units = max(size, 1)
        return (units + alignment - 1) & ~(alignment - 1)
    }

    /// The reserved size of the live block at `offset`, or nil if no live block starts there.
    public func blockSize(at offset: Int) -> Int? { liveBlocks[offset] }

    /// Reserves `size` bytes and returns their aligned offset, or nil when no free block is
    /// large enough (or `size` is negative).
    public mutating func allocate(_ size: Int) -> Int? {
        // Checked before rounding so that huge sizes cannot overflow.
        guard size >= 0, size <= capacity else { return nil }
        let needed = blockSize(for: size)
        guard let index = freeBlocks.firstIndex(where: { $0.size >= needed }) else { return nil }
        let offset = freeBlocks[index].offset
        if freeBlocks[index].size == needed {
            freeBlocks.remove(at: index)
        } else {
            freeBlocks[index].offset += needed
            freeBlocks[index].size -= needed
        }
        liveBlocks[offset] = needed
        bytesInUse += needed
        return offset
    }

    /// Returns the block at `offset` to the free list, merging it with free neighbours.
    /// Returns false, changing nothing, when `offset` is not the start of a live block, so a
    /// double free or a stray offset from a confused client cannot corrupt the bookkeeping.
    @discardableResult
    public mutating func free(_ offset: Int) -> Bool {
        guard let size = liveBlocks.removeValue(forKey: offset) else { return false }
        bytesInUse -= size
        let index = firstFreeIndex(after: offset)
        let mergesLeft = index > 0 && freeBlocks[index - 1].end == offset
        let mergesRight = index < freeBlocks.count && freeBlocks[index].offset == offset + size
        switch (mergesLeft, mergesRight) {
        case (true, true):
            freeBlocks[index - 1].size += size + freeBlocks[index].size
            freeBlocks.remove(at: index)
        case (true, false):
            freeBlocks[index - 1].size += size
        case (false, true):
            freeBlocks[index].offset = offset
            freeBlocks[index].size += size
        case (false, false):
            freeBlocks.insert(Block(offset: offset, size: size), at: index)
        }
        return true
    }

    /// The index of the first free block that starts after `offset` (binary search).
    private func firstFreeIndex(after offset: Int) -> Int {
        var low = 0, high = freeBlocks.count
        while low < high {
            let middle = (low + high) / 2
            if freeBlocks[middle].offset <= offset { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
