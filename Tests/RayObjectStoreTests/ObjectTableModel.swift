import RayCore

/// A slow, obviously correct restatement of the object table's rules, without space accounting:
/// which objects exist, their reference counts, and the eviction queue as a plain array.
struct ObjectTableModel {
    struct Object {
        var size: Int
        var sealed = false
        var contained: [ObjectID] = []
    }

    var objects: [ObjectID: Object] = [:]
    var counts: [ObjectID: Int] = [:]
    /// Evictable objects, least recently used first.
    var queue: [ObjectID] = []

    func isEvictable(_ id: ObjectID) -> Bool {
        objects[id]?.sealed == true && counts[id, default: 0] == 0
    }

    mutating func addReference(_ id: ObjectID) {
        counts[id, default: 0] += 1
        queue.removeAll { $0 == id }
    }

    mutating func removeReference(_ id: ObjectID) {
        guard let count = counts[id] else { return }
        counts[id] = count == 1 ? nil : count - 1
        if isEvictable(id) { queue.append(id) }
    }

    mutating func seal(_ id: ObjectID, containing contained: [ObjectID]) {
        objects[id]?.sealed = true
        objects[id]?.contained = contained
        for inner in contained { addReference(inner) }
        if isEvictable(id) { queue.append(id) }
    }

    mutating func touch(_ id: ObjectID) {
        guard let index = queue.firstIndex(of: id) else { return }
        queue.remove(at: index)
        queue.append(id)
    }

    mutating func remove(_ id: ObjectID) {
        guard let object = objects.removeValue(forKey: id) else { return }
        queue.removeAll { $0 == id }
        for inner in object.contained { removeReference(inner) }
    }
}
