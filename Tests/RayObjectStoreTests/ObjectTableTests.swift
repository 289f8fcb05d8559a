import RayCore
import RayObjectStore
import Testing

/// Most tests use a 1024-byte table and 256-byte objects: four fill it exactly.
@Suite struct ObjectTableTests {
    private static func id(_ index: UInt32) -> ObjectID {
        ObjectID(task: TaskID(high: 0xA, low: 0xB), index: index)
    }

    private let a = id(1), b = id(2), c = id(3), d = id(4), e = id(5), f = id(6)

    /// Creates and seals an object of `size` bytes, returning its offset.
    @discardableResult
    private func put(_ id: ObjectID, size: Int = 256, containing: [ObjectID] = [], in table: inout ObjectTable) throws -> Int {
        let (offset, evicted) = try table.create(id, size: size)
        #expect(evicted.isEmpty, "unexpected eviction of \(evicted)")
        try table.seal(id, containedIDs: containing)
        return offset
    }

    @Test func createSealLookup() throws {
        var table = ObjectTable(capacity: 1024)
        let (offset, evicted) = try table.create(a, size: 100)
        #expect(evicted.isEmpty)
        #expect(table.contains(a))
        #expect(!table.isSealed(a))
        #expect(table.lookup(a) == nil, "unsealed objects are not readable")
        try table.seal(a, containedIDs: [])
        #expect(table.isSealed(a))
        let found = try #require(table.lookup(a))
        #expect(found.offset == offset && found.size == 100)
        #expect(table.objectCount == 1)
        #expect(table.bytesInUse == 128)
        #expect(table.capacity == 1024)
        #expect(!table.contains(b))
        #expect(table.lookup(b) == nil)
    }

    @Test func evictsLeastRecentlyUsedFirstHonouringTouches() throws {
        var table = ObjectTable(capacity: 1024)
        for id in [a, b, c, d] { try put(id, in: &table) }
        table.touch(a)

        let first = try table.create(e, size: 256)
        #expect(first.evicted == [b])
        #expect(first.offset == 256, "the evicted object's space is reused")
        try table.seal(e, containedIDs: [])

        table.touch(c)
        #expect(try table.create(f, size: 256).evicted == [d])
        #expect([a, c, e, f].allSatisfy { table.contains($0) })
        #expect(table.objectCount == 4)
    }

    @Test func evictsUntilAContiguousBlockFits() throws {
        var table = ObjectTable(capacity: 1024)
        for id in [a, b, c, d] { try put(id, in: &table) }
        table.touch(b)
        table.touch(d)
        // Queue is a, c, b, d. Evicting a and c frees 512 bytes but not contiguously.
        let (offset, evicted) = try table.create(e, size: 512)
        #expect(evicted == [a, c, b])
        #expect(offset == 0)
        #expect(table.contains(d))
    }

    @Test func referencedObjectsAreNotEvicted() throws {
        var table = ObjectTable(capacity: 1024)
        for id in [a, b, c, d] { try put(id, in: &table) }
        table.addReference(a)
        #expect(try table.create(e, size: 256).evicted == [b])
        #expect(table.contains(a))

        // Released, `a` counts as just used: everything older goes first.
        table.removeReference(a)
        try table.seal(e, containedIDs: [])
        #expect(try table.create(f, size: 512).evicted == [c, d])
        #expect(table.contains(a))
    }

    @Test func unsealedObjectsAreNotEvicted() throws {
        var table = ObjectTable(capacity: 1024)
        _ = try table.create(a, size: 256)
        try put(b, in: &table)
        #expect(try table.create(c, size: 768).evicted == [b])
        #expect(table.contains(a))
    }

    @Test func referencesCanPrecedeCreationAndPersistUntilZero() throws {
        var table = ObjectTable(capacity: 512)
        table.addReference(a)
        table.addReference(a)
        #expect(table.referenceCount(a) == 2)
        try put(a, in: &table)
        try put(b, in: &table)

        table.removeReference(a)
        #expect(table.referenceCount(a) == 1)
        #expect(try table.create(c, size: 256).evicted == [b])

        table.removeReference(a)
        #expect(table.referenceCount(a) == 0)
        try table.seal(c, containedIDs: [])
        #expect(try table.create(d, size: 512).evicted == [a, c])
    }

    @Test func removingAnAbsentReferenceIsANoOp() {
        var table = ObjectTable(capacity: 1024)
        let beforeAny = table.removeReference(a)
        table.addReference(a)
        let matched = table.removeReference(a), extra = table.removeReference(a)
        #expect(!beforeAny && matched && !extra)
        #expect(table.referenceCount(a) == 0)
    }

    @Test func referencesSurviveEvictionOfTheirObject() throws {
        var table = ObjectTable(capacity: 256)
        try put(a, in: &table)
        #expect(try table.create(b, size: 256).evicted == [a])
        table.addReference(a)
        #expect(table.referenceCount(a) == 1)
        table.abort(b)
        try put(a, in: &table)
        #expect(throws: ObjectStoreError.self) { try table.create(c, size: 256) }
    }

    @Test func containedObjectsArePinnedByTheirContainer() throws {
        var table = ObjectTable(capacity: 1024)
        try put(a, in: &table)
        try put(b, containing: [a], in: &table)
        #expect(table.referenceCount(a) == 1)
        try put(c, in: &table)
        try put(d, in: &table)
        table.addReference(c)
        table.addReference(d)

        // Only the container is evictable; evicting it releases `a`.
        #expect(try table.create(e, size: 256).evicted == [b])
        #expect(table.referenceCount(a) == 0)
        #expect(try table.create(f, size: 256).evicted == [a])
    }

    @Test func evictingAContainerCanCascadeWithinOneCreate() throws {
        var table = ObjectTable(capacity: 1024)
        try put(a, in: &table)
        try put(b, containing: [a, a], in: &table)
        #expect(table.referenceCount(a) == 2)
        try put(c, in: &table)
        try put(d, in: &table)
        table.addReference(c)
        table.addReference(d)

        let (offset, evicted) = try table.create(e, size: 512)
        #expect(evicted == [b, a])
        #expect(offset == 0)
    }

    @Test func deletingAContainerReleasesItsContents() throws {
        var table = ObjectTable(capacity: 1024)
        try put(a, in: &table)
        try put(b, containing: [a], in: &table)
        let deletedContained = table.delete(a)
        #expect(!deletedContained, "contained objects are referenced")
        let deletedContainer = table.delete(b)
        #expect(deletedContainer && !table.contains(b))
        #expect(table.referenceCount(a) == 0)
        let deletedReleased = table.delete(a)
        #expect(deletedReleased)
        #expect(table.bytesInUse == 0)
    }

    @Test func deleteRefusesReferencedUnsealedAndAbsentObjects() throws {
        var table = ObjectTable(capacity: 1024)
        try put(a, in: &table)
        table.addReference(a)
        _ = try table.create(b, size: 10)
        let deleted = [a, b, c].map { table.delete($0) }
        #expect(deleted == [false, false, false])
        #expect(table.objectCount == 2)
    }

    @Test func objectTooLargeNamesTheSizes() throws {
        var table = ObjectTable(capacity: 1024)
        let error = #expect(throws: ObjectStoreError.self) { try table.create(a, size: 5000) }
        #expect(error == .objectTooLarge(id: a, size: 5000, capacity: 1024))
        let message = try #require(error).description
        #expect(message.contains("5000") && message.contains("1024") && message.contains(a.hex))
    }

    @Test func storeFullNamesThePinnedBytesAndEvictsNothing() throws {
        var table = ObjectTable(capacity: 1024)
        for id in [a, b, c, d] { try put(id, in: &table) }
        table.addReference(a)
        table.addReference(c)
        // Evicting b and d frees 512 bytes, but in two separate 256-byte holes.
        let error = #expect(throws: ObjectStoreError.self) { try table.create(e, size: 512) }
        #expect(error == .storeFull(id: e, size: 512, capacity: 1024, bytesPinned: 512))
        let message = try #require(error).description
        #expect(message.contains("512 bytes") && message.contains("1024"))
        #expect(table.objectCount == 4, "a hopeless request must not evict anything")
        #expect(try table.create(e, size: 256).evicted == [b])
    }

    @Test func abortFreesTheSpace() throws {
        var table = ObjectTable(capacity: 1024)
        _ = try table.create(a, size: 1024)
        let aborted = table.abort(a)
        #expect(aborted && !table.contains(a))
        #expect(table.bytesInUse == 0)
        #expect(try table.create(b, size: 1024).offset == 0)
        try table.seal(b, containedIDs: [])
        let abortedSealed = table.abort(b), abortedAbsent = table.abort(c)
        #expect(!abortedSealed, "sealed objects cannot be aborted")
        #expect(!abortedAbsent)
    }

    @Test func duplicateCreationAndSealingAreRejected() throws {
        var table = ObjectTable(capacity: 1024)
        _ = try table.create(a, size: 10)
        #expect(throws: ObjectStoreError.alreadyExists(a)) { try table.create(a, size: 10) }
        try table.seal(a, containedIDs: [])
        #expect(throws: ObjectStoreError.alreadyExists(a)) { try table.create(a, size: 10) }
        #expect(throws: ObjectStoreError.alreadySealed(a)) { try table.seal(a, containedIDs: []) }
        #expect(throws: ObjectStoreError.objectNotFound(b)) { try table.seal(b, containedIDs: []) }
        #expect(throws: ObjectStoreError.invalidSize(id: b, size: -1)) { try table.create(b, size: -1) }
        #expect(table.bytesInUse == 64)
    }

    @Test func emptyObjectsTakeDistinctSlots() throws {
        var table = ObjectTable(capacity: 1024)
        let first = try put(a, size: 0, in: &table)
        let second = try put(b, size: 0, in: &table)
        #expect(first != second)
        #expect(table.lookup(a)?.size == 0)
    }

    /// Random operations checked against `ObjectTableModel`: every eviction takes exactly the
    /// model's least recently used evictable object (cascades included), a refused creation
    /// changes nothing, and reference counts, states and byte totals always agree.
    @Test func randomOperationsMatchAModel() throws {
        var table = ObjectTable(capacity: 4096)
        var model = ObjectTableModel()
        var random = SplitMix64(seed: 0x0B1E_C75)
        let ids = (1...40).map { Self.id(UInt32($0)) }
        func pick() -> ObjectID { ids[Int(random.next() % UInt64(ids.count))] }

        for _ in 0..<5000 {
            let id = pick()
            switch random.next() % 8 {
            case 0, 1:
                let size = Int(random.next() % 700)
                do {
                    let (_, evicted) = try table.create(id, size: size)
                    #expect(model.objects[id] == nil)
                    for victim in evicted {
                        #expect(victim == model.queue.first, "evicted \(victim) out of LRU order")
                        model.remove(victim)
                    }
                    model.objects[id] = ObjectTableModel.Object(size: size)
                } catch .alreadyExists {
                    #expect(model.objects[id] != nil)
                } catch {
                    guard case .storeFull = error else { throw error }
                    #expect(model.objects[id] == nil)
                }
            case 2:
                let contained = (0..<Int(random.next() % 3)).map { _ in pick() }
                let sealable = model.objects[id]?.sealed == false
                do {
                    try table.seal(id, containedIDs: contained)
                    #expect(sealable)
                    model.seal(id, containing: contained)
                } catch {
                    #expect(!sealable)
                }
            case 3:
                table.addReference(id)
                model.addReference(id)
            case 4:
                table.removeReference(id)
                model.removeReference(id)
            case 5:
                table.touch(id)
                model.touch(id)
            case 6:
                let deleted = table.delete(id)
                #expect(deleted == model.isEvictable(id))
                if deleted { model.remove(id) }
            default:
                let aborted = table.abort(id)
                #expect(aborted == (model.objects[id]?.sealed == false))
                if aborted { model.remove(id) }
            }

            for id in ids {
                #expect(table.referenceCount(id) == model.counts[id, default: 0])
                #expect(table.contains(id) == (model.objects[id] != nil))
                #expect(table.isSealed(id) == (model.objects[id]?.sealed == true))
            }
            #expect(table.objectCount == model.objects.count)
            #expect(table.bytesInUse == model.objects.values.reduce(0) { $0 + (max($1.size, 1) + 63) / 64 * 64 })
        }
    }
}

@Suite struct ObjectTableTrimTests {
    static func id(_ n: UInt32) -> ObjectID { ObjectID(task: TaskID(high: 7, low: 7), index: n) }

    /// A table holding sealed, unreferenced objects `numbers`, created in that order.
    static func table(sealing numbers: ClosedRange<UInt32>, size: Int) throws -> ObjectTable {
        var table = ObjectTable(capacity: 64 * 1024)
        for n in numbers {
            _ = try table.create(id(n), size: size)
            try table.seal(id(n), containedIDs: [])
        }
        return table
    }

    @Test func trimEvictsUnreferencedObjectsOldestFirstDownToTheBudget() throws {
        var table = try Self.table(sealing: 1...4, size: 1024)
        table.addReference(Self.id(2))
        #expect(table.evictableBytes == 3 * 1024)
        let evicted = table.trimEvictable(to: 1024)
        #expect(evicted == [Self.id(1), Self.id(3)])
        #expect(table.contains(Self.id(2)) && table.contains(Self.id(4)))
        #expect(table.evictableBytes == 1024)
        #expect(table.trimEvictable(to: 1024).isEmpty)
    }

    @Test func trimAlsoBoundsTheNumberOfUnreferencedObjects() throws {
        var table = try Self.table(sealing: 1...10, size: 8)
        table.addReference(Self.id(1))
        #expect(table.evictableCount == 9)
        let evicted = table.trimEvictable(to: .max, count: 3)
        #expect(evicted == (2...7).map(Self.id))
        #expect(table.evictableCount == 3)
        #expect(table.contains(Self.id(1)) && table.contains(Self.id(10)))
    }
}
