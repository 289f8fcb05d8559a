import RayCore
import Synchronization

/// Small objects this process stored or read, kept in its own memory. Objects are immutable, so a
/// later `get` of the same object needs no round trip to the raylet. An entry leaves when the
/// process lets go of its last hold on the object; the whole cache is bounded.
final class SmallObjectCache: Sendable {
    let maxObjectSize: Int
    let capacity: Int
    private let state = Mutex<(objects: [ObjectID: [UInt8]], bytes: Int)>(([:], 0))

    init(maxObjectSize: Int, capacity: Int) {
        self.maxObjectSize = maxObjectSize
        self.capacity = capacity
    }

    func insert(_ id: ObjectID, _ payload: [UInt8]) {
        guard payload.count <= maxObjectSize else { return }
        state.withLock { state in
            guard state.objects[id] == nil, state.bytes + payload.count <= capacity else { return }
            state.objects[id] = payload
            state.bytes += payload.count
        }
    }

    /// The payloads of all `ids`, or nil when any is missing.
    func lookup(_ ids: [ObjectID]) -> [[UInt8]]? {
        state.withLock { state in
            var payloads: [[UInt8]] = []
            payloads.reserveCapacity(ids.count)
            for id in ids {
                guard let payload = state.objects[id] else { return nil }
                payloads.append(payload)
            }
            return payloads
        }
    }

    func remove(_ id: ObjectID) { remove(CollectionOfOne(id)) }

    func remove<IDs: Sequence<ObjectID>>(_ ids: IDs) {
        state.withLock { state in
            for id in ids {
                if let payload = state.objects.removeValue(forKey: id) { state.bytes -= payload.count }
            }
        }
    }
}
