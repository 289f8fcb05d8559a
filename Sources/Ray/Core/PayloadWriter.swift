import RayCore

/// An object ready to be stored: its exact size, a function that writes its payload into the
/// destination (shared memory, or a message), and the refs it contains.
struct PayloadWriter: Sendable {
    let size: Int
    let contained: [ObjectID]
    let write: @Sendable (UnsafeMutableRawBufferPointer) -> Void
    /// This process's hold on the contained objects while the payload exists: the value they
    /// came from may be gone (a task's result is encoded, then dropped), and its refs with it,
    /// before the message that stores the payload reaches the node, which counts the contained
    /// objects only then. Without it, an actor whose handle a task returns died in between.
    let containedHold: ReferenceHolder?

    init(size: Int, contained: [ObjectID], containedHold: ReferenceHolder? = nil,
         write: @escaping @Sendable (UnsafeMutableRawBufferPointer) -> Void) {
        self.size = size
        self.contained = contained
        self.containedHold = containedHold
        self.write = write
    }

    /// A payload that is already a byte array.
    init(bytes: [UInt8], contained: [ObjectID]) {
        self.init(size: bytes.count, contained: contained) { destination in
            bytes.withUnsafeBytes { destination.copyMemory(from: $0) }
        }
    }

    var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            write(UnsafeMutableRawBufferPointer(buffer))
            count = size
        }
    }
}
