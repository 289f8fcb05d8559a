import RayCore

/// The metadata of every object in one node's store: where each lives in the arena, whether it
/// is still being written, who holds references to it, and in which order to evict.
///
/// Pure bookkeeping with value semantics; the raylet owns one and serializes calls under its own
/// lock. The table never touches the arena's memory.
///
/// An object is *evictable* when it is sealed and its reference count is zero. References come
/// from holders (driver handles, pending tasks, readers mapping the bytes) through
/// `addReference`/`removeReference`, and from sealed objects that contain the ID in their value,
/// so a contained object stays as long as its container does. Evictable objects wait in a queue
/// ordered by last use: an object enters at the most-recent end when it becomes evictable (its
/// last holder letting go is its latest use) and `touch` moves it back there. The queue is a
/// doubly linked list threaded through the entries, so every update is O(1).
public struct ObjectTable: Sendable {
    /// The life cycle of an object in the store.
    public enum State: Sendable, Equatable {
        /// Allocated and being written by the client that created it; not readable yet.
        case created
        /// Immutable and readable.
        case sealed
    }

    private struct Entry {
        var offset: Int
        var size: Int
        var state: State
        /// IDs referenced from inside the object's value; each holds one reference while the
        /// object is sealed and present.
        var containedIDs: [ObjectID] = []
        /// Whether the object is in the eviction queue, and its neighbours there.
        var isQueued = false
        var older: ObjectID?
        var newer: ObjectID?
    }

    private var allocator: ArenaAllocator
    private var entries: [ObjectID: Entry] = [:]
    /// Only non-zero counts are stored; an ID may have a count before (or after) it has an entry.
    private var referenceCounts: [ObjectID: Int] = [:]
    /// Ends of the eviction queue: the least recently used evictable object is evicted first.
    private var leastRecent: ObjectID?
    private var mostRecent: ObjectID?
    /// The bytes of the objects in the eviction queue.
    public private(set) var evictableBytes = 0
    /// The number of objects in the eviction queue.
    public private(set) var evictableCount = 0

    /// - Parameters:
    ///   - capacity: the arena's size in bytes.
    ///   - alignment: the alignment of every object's offset; a power of two.
    public init(capacity: Int, alignment: Int = 64) {
        allocator = ArenaAllocator(capacity: capacity, alignment: alignment)
    }

    /// The bytes available to objects (the arena's capacity rounded down to the alignment).
    public var capacity: Int { allocator.capacity }

    /// Bytes reserved by objects, including the padding that aligns each one.
    public var bytesInUse: Int { allocator.bytesInUse }

    /// The number of objects in the store, sealed or still being written.
    public var objectCount: Int { entries.count }

    /// Whether an object with this ID is in the store, sealed or still being written.
    public func contains(_ id: ObjectID) -> Bool { entries[id] != nil }

    /// Whether the object is in the store and sealed.
    public func isSealed(_ id: ObjectID) -> Bool { entries[id]?.state == .sealed }

    /// The number of references to `id` from holders and from sealed objects containing it.
    public func referenceCount(_ id: ObjectID) -> Int { referenceCounts[id] ?? 0 }

    /// The IDs referenced from inside a sealed object's value.
    public func containedIDs(of id: ObjectID) -> [ObjectID] { entries[id]?.containedIDs ?? [] }

    /// Where a sealed object's bytes are in the arena; nil if it is absent or not sealed yet.
    /// Readers should `touch` the object too, so that eviction sees the use.
    public func lookup(_ id: ObjectID) -> (offset: Int, size: Int)? {
        guard let entry = entries[id], entry.state == .sealed else { return nil }
        return (entry.offset, entry.size)
    }

    /// Marks an evictable object as just used, so it is evicted after every other one. Objects
    /// that are referenced need no mark: they become evictable as the most recently used.
    public mutating func touch(_ id: ObjectID) {
        guard entries[id]?.isQueued == true else { return }
        unlink(id)
        enqueue(id)
    }

    /// Records one more holder of `id`; the object need not exist yet.
    public mutating func addReference(_ id: ObjectID) {
        if Self.increment(&referenceCounts[id, default: 0]) == 1, entries[id]?.isQueued == true { unlink(id) }
    }

    /// Counts up in place, so the count is found by one hash lookup.
    private static func increment(_ count: inout Int) -> Int {
        count += 1
        return count
    }

    /// Drops one holder of `id`. When the count reaches zero a sealed object becomes evictable.
    /// Returns false, changing nothing, when `id` had no references.
    @discardableResult
    public mutating func removeReference(_ id: ObjectID) -> Bool {
        guard let index = referenceCounts.index(forKey: id) else { return false }
        if referenceCounts.values[index] > 1 {
            referenceCounts.values[index] -= 1
            return true
        }
        referenceCounts.remove(at: index)
        if entries[id]?.state == .sealed { enqueue(id) }
        return true
    }

    /// Reserves `size` bytes for a new object that its creator will then write and `seal`.
    ///
    /// When no free block is large enough, evictable objects are evicted least recently used
    /// first until one is. Nothing is evicted if even evicting all of them would not make room.
    /// - Returns: the object's offset in the arena, and the IDs evicted to make room, oldest
    ///   first, so the caller can record that they must be rebuilt if needed again.
    public mutating func create(_ id: ObjectID, size: Int) throws(ObjectStoreError) -> (offset: Int, evicted: [ObjectID]) {
        guard size >= 0 else { throw .invalidSize(id: id, size: size) }
        guard entries[id] == nil else { throw .alreadyExists(id) }
        guard size <= capacity, allocator.blockSize(for: size) <= capacity else {
            throw .objectTooLarge(id: id, size: size, capacity: capacity)
        }
        var evicted: [ObjectID] = []
        let needed = allocator.blockSize(for: size)
        if allocator.largestFreeBlock < needed {
            // Evicting on a copy lets a hopeless request fail without destroying anything.
            var trial = self
            while trial.allocator.largestFreeBlock < needed, let victim = trial.leastRecent {
                trial.remove(victim)
                evicted.append(victim)
            }
            guard trial.allocator.largestFreeBlock >= needed else {
                throw .storeFull(id: id, size: size, capacity: capacity, bytesPinned: trial.bytesInUse)
            }
            self = trial
        }
        guard let offset = allocator.allocate(size) else {
            preconditionFailure("a free block of \(needed) bytes was just found for \(id)")
        }
        entries[id] = Entry(offset: offset, size: size, state: .created)
        return (offset, evicted)
    }

    /// Makes a created object immutable and readable. Each of `containedIDs` (object refs inside
    /// the value, duplicates counted) gains a reference held until this object leaves the store.
    public mutating func seal(_ id: ObjectID, containedIDs: [ObjectID]) throws(ObjectStoreError) {
        guard let entry = entries[id] else { throw .objectNotFound(id) }
        guard entry.state == .created else { throw .alreadySealed(id) }
        entries[id]?.state = .sealed
        entries[id]?.containedIDs = containedIDs
        for contained in containedIDs { addReference(contained) }
        if referenceCounts[id] == nil { enqueue(id) }
    }

    /// Drops an object that was created but never sealed (its writer failed or gave up) and
    /// frees its space. Returns false for absent or sealed objects.
    @discardableResult
    public mutating func abort(_ id: ObjectID) -> Bool {
        guard entries[id]?.state == .created else { return false }
        remove(id)
        return true
    }

    /// Frees a sealed object right away instead of waiting for eviction. Only evictable objects
    /// are deleted: a referenced one may be mapped by a reader or contained in a live object, so
    /// freeing its bytes for reuse would corrupt what they see. Returns whether it was deleted.
    @discardableResult
    public mutating func delete(_ id: ObjectID) -> Bool {
        guard entries[id]?.isQueued == true else { return false }
        remove(id)
        return true
    }

    /// Evicts least recently used evictable objects until at most `budget` bytes and `maxCount`
    /// objects of them remain.
    /// Keeping few unreferenced objects around makes new objects reuse memory whose pages are
    /// already mapped, instead of faulting in fresh pages of the arena.
    public mutating func trimEvictable(to budget: Int, count maxCount: Int = .max) -> [ObjectID] {
        var evicted: [ObjectID] = []
        while evictableBytes > budget || evictableCount > maxCount, let victim = leastRecent {
            remove(victim)
            evicted.append(victim)
        }
        return evicted
    }

    /// Removes the entry, frees its bytes, and releases the references it held on its contents.
    private mutating func remove(_ id: ObjectID) {
        guard let entry = entries[id] else { return }
        if entry.isQueued { unlink(id) }
        allocator.free(entry.offset)
        entries[id] = nil
        for contained in entry.containedIDs { removeReference(contained) }
    }

    /// Appends `id` at the most recently used end of the eviction queue.
    private mutating func enqueue(_ id: ObjectID) {
        evictableBytes += entries[id]!.size
        evictableCount += 1
        entries[id]!.isQueued = true
        entries[id]!.older = mostRecent
        entries[id]!.newer = nil
        if let mostRecent { entries[mostRecent]!.newer = id } else { leastRecent = id }
        mostRecent = id
    }

    /// Takes `id` out of the eviction queue.
    private mutating func unlink(_ id: ObjectID) {
        let entry = entries[id]!
        evictableBytes -= entry.size
        evictableCount -= 1
        if let older = entry.older { entries[older]!.newer = entry.newer } else { leastRecent = entry.newer }
        if let newer = entry.newer { entries[newer]!.older = entry.older } else { mostRecent = entry.older }
        entries[id]!.isQueued = false
        entries[id]!.older = nil
        entries[id]!.newer = nil
    }
}
