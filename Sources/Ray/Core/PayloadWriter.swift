import RayCore

/// An object ready to be stored: its exact size, a function that writes its payload into the
/// destination (shared memory, or a message), and the refs it contains.
struct PayloadWriter: Sendable {
    let size: Int
    let contained: [ObjectID]
    let write: @Sendable (UnsafeMutableRawBufferPointer) -> Void

    init(size: Int, contained: [ObjectID], write: @escaping @Sendable (UnsafeMutableRawBufferPointer) -> Void) {
        self.size = size
        self.contained = contained
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
