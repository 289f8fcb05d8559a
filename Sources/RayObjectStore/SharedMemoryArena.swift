import CRaySupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One shared mapping of a memfd that holds every object of a node.
///
/// The raylet creates the arena and sends `fileDescriptor` to its clients over a Unix socket;
/// each client maps the same file, so objects are written once and read in place by every
/// process on the node. Offsets (from `ObjectTable`) are the common language: `base` differs per
/// process.
///
/// The arena is not pre-faulted: the kernel backs a page only when it is first written, so an
/// idle store costs little memory. `ArenaAllocator` hands out the lowest free offsets first,
/// which reuses freed, already-faulted pages and keeps page-fault cost off steady-state puts.
///
/// `@unchecked Sendable`: the properties are immutable, and the bytes are shared memory whose
/// access is coordinated by the object protocol (written before sealing, read-only after).
public final class SharedMemoryArena: @unchecked Sendable {
    /// The memfd backing the arena, owned (and closed) by this instance.
    public let fileDescriptor: Int32
    /// Where the arena starts in this process.
    public let base: UnsafeMutableRawPointer
    /// The arena's size in bytes.
    public let capacity: Int

    /// Creates a memfd of `capacity` bytes and maps it read-write and shared.
    /// - Parameter name: shown in `/proc/<pid>/fd` and `/proc/<pid>/maps`, for debugging.
    public init(capacity: Int, name: String) throws(SharedMemoryError) {
        guard capacity > 0 else { throw .invalidCapacity(capacity) }
        let fd = cray_memfd_create(name)
        guard fd >= 0 else { throw .systemCall(name: "memfd_create", errno: errno) }
        do throws(SharedMemoryError) {
            guard ftruncate(fd, off_t(capacity)) == 0 else { throw .systemCall(name: "ftruncate", errno: errno) }
            base = try Self.map(fd, capacity: capacity)
        } catch {
            close(fd)
            throw error
        }
        fileDescriptor = fd
        self.capacity = capacity
    }

    /// Maps an arena's memfd received from its creator, read-write because clients write the
    /// objects they create before sealing them.
    ///
    /// On success the arena owns `fd` and closes it on deinit; on failure the caller keeps it.
    public init(mapping fd: Int32, capacity: Int) throws(SharedMemoryError) {
        guard capacity > 0 else { throw .invalidCapacity(capacity) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw .systemCall(name: "fstat", errno: errno) }
        guard Int(status.st_size) >= capacity else { throw .fileTooSmall(fileSize: Int(status.st_size), capacity: capacity) }
        base = try Self.map(fd, capacity: capacity)
        fileDescriptor = fd
        self.capacity = capacity
    }

    deinit {
        munmap(base, capacity)
        close(fileDescriptor)
    }

    /// Whether `pointer` points into this process's mapping of the arena.
    public func contains(_ pointer: UnsafeRawPointer) -> Bool {
        let start = UnsafeRawPointer(base)
        return pointer >= start && pointer < start + capacity
    }

    /// The `count` bytes at `offset`, for an offset and size taken from the object table.
    public func buffer(offset: Int, count: Int) -> UnsafeMutableRawBufferPointer {
        precondition(offset >= 0 && count >= 0 && count <= capacity - offset,
                     "bytes \(offset)..<\(offset + count) are outside the \(capacity)-byte arena")
        return UnsafeMutableRawBufferPointer(start: base + offset, count: count)
    }

    private static func map(_ fd: Int32, capacity: Int) throws(SharedMemoryError) -> UnsafeMutableRawPointer {
        let address = mmap(nil, capacity, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        guard let address, address != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw .systemCall(name: "mmap", errno: errno)
        }
        return address
    }
}
