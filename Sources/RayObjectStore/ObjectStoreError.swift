import RayCore

/// Why the object table refused a request. Messages carry the sizes involved, because "store
/// full" is only actionable when the user can see how much was asked for and how much is pinned.
public enum ObjectStoreError: Error, Equatable, CustomStringConvertible {
    /// The object is larger than the whole store, so no amount of eviction can help.
    case objectTooLarge(id: ObjectID, size: Int, capacity: Int)
    /// Even after evicting every evictable object there is no free block of `size` bytes;
    /// `bytesPinned` is what stays occupied by referenced, contained or unsealed objects.
    case storeFull(id: ObjectID, size: Int, capacity: Int, bytesPinned: Int)
    /// An object with this ID is already in the store (being written or sealed).
    case alreadyExists(ObjectID)
    /// No object with this ID is in the store.
    case objectNotFound(ObjectID)
    /// The object was sealed before; sealed objects are immutable.
    case alreadySealed(ObjectID)
    /// A negative size, which only a corrupt request can produce.
    case invalidSize(id: ObjectID, size: Int)

    public var description: String {
        switch self {
        case let .objectTooLarge(id, size, capacity):
            "object \(id) is \(size) bytes, larger than the whole object store (\(capacity) bytes)"
        case let .storeFull(id, size, capacity, bytesPinned):
            "object store full: cannot fit object \(id) of \(size) bytes; \(bytesPinned) of \(capacity) bytes "
                + "are pinned by referenced or unsealed objects and cannot be evicted"
        case let .alreadyExists(id):
            "object \(id) already exists in the object store"
        case let .objectNotFound(id):
            "object \(id) is not in the object store"
        case let .alreadySealed(id):
            "object \(id) is already sealed"
        case let .invalidSize(id, size):
            "object \(id) has an invalid size of \(size) bytes"
        }
    }
}
