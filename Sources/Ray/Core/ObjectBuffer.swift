import RayCore

/// The bytes of one stored object, readable in place, and pinned in the store (not evictable)
/// for as long as this buffer lives.
final class ObjectBuffer: @unchecked Sendable {
    let id: ObjectID
    let bytes: UnsafeRawBufferPointer
    private let onRelease: (@Sendable () -> Void)?
    /// Local mode keeps objects on the heap, 64-byte aligned like the shared-memory arena.
    private let owned: UnsafeMutableRawBufferPointer?

    init(id: ObjectID, bytes: UnsafeRawBufferPointer, onRelease: (@Sendable () -> Void)?) {
        self.id = id
        self.bytes = bytes
        self.onRelease = onRelease
        owned = nil
    }

    /// A heap copy of `source` (local mode, the small-object cache, an object the node kept
    /// outside its arena).
    init(id: ObjectID, copying source: [UInt8], onRelease: (@Sendable () -> Void)? = nil) {
        self.id = id
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: max(source.count, 1), alignment: 64)
        source.withUnsafeBytes { memory.copyMemory(from: $0) }
        owned = memory
        bytes = UnsafeRawBufferPointer(rebasing: memory[0..<source.count])
        self.onRelease = onRelease
    }

    deinit {
        onRelease?()
        owned?.deallocate()
    }
}
