import CRaySupport
import Glibc
import RayCore

/// SHA-256 through the system's libcrypto: the content address of shipped programs.
public enum SHA256 {
    public static func hash(_ data: [UInt8]) -> ContentHash {
        var out = [UInt8](repeating: 0, count: ContentHash.byteCount)
        let rc = data.withUnsafeBytes { data in
            out.withUnsafeMutableBufferPointer { cray_sha256(data.baseAddress, data.count, $0.baseAddress) }
        }
        precondition(rc == 0, "SHA-256 from libcrypto failed")
        return ContentHash(bytes: out)!
    }

    /// The hash of the whole file open at `fd` and how many bytes it has (read with `pread`).
    public static func hash(fd: Int32) throws(HashError) -> (hash: ContentHash, size: Int) {
        var out = [UInt8](repeating: 0, count: ContentHash.byteCount)
        let count = out.withUnsafeMutableBufferPointer { cray_sha256_fd(fd, $0.baseAddress) }
        guard count >= 0 else { throw HashError(path: nil, reason: String(cString: strerror(Int32(-count)))) }
        return (ContentHash(bytes: out)!, Int(count))
    }

    /// The hash of the file at `path` and its size.
    public static func hash(path: String) throws(HashError) -> (hash: ContentHash, size: Int) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw HashError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        do {
            return try hash(fd: fd)
        } catch {
            throw HashError(path: path, reason: error.reason)
        }
    }

    /// A file could not be read to hash it.
    public struct HashError: Error, CustomStringConvertible {
        public var path: String?
        public var reason: String
        public var description: String { "cannot hash \(path ?? "a file"): \(reason)" }
    }
}
