#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a shared-memory arena could not be created or mapped.
public enum SharedMemoryError: Error, Equatable, CustomStringConvertible {
    /// The requested size is not a positive byte count.
    case invalidCapacity(Int)
    /// A system call failed; `errno` is the error number it left.
    case systemCall(name: String, errno: Int32)
    /// The received descriptor's file is smaller than the mapping asked for; touching the pages
    /// past its end would kill the process with SIGBUS, so the mapping is refused up front.
    case fileTooSmall(fileSize: Int, capacity: Int)

    public var description: String {
        switch self {
        case let .invalidCapacity(capacity):
            "invalid shared-memory capacity \(capacity) bytes: it must be positive"
        case let .systemCall(name, errno):
            "\(name) failed: \(String(cString: strerror(errno))) (errno \(errno))"
        case let .fileTooSmall(fileSize, capacity):
            "shared-memory file is \(fileSize) bytes, smaller than the \(capacity) bytes to map"
        }
    }
}
