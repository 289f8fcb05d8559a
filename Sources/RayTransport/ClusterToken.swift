import Foundation
import Glibc
import RayCore

/// The secret the machines of one cluster share: every TCP connection between them proves,
/// by challenge and response (`TokenHandshake`), that both ends know it, without sending it.
/// 32 random bytes, kept in a file only its owner may read, copied to each machine by whoever
/// sets the cluster up.
public struct ClusterToken: FixedSizeBytes, Sendable, Equatable, CustomStringConvertible {
    /// 256 bits: out of reach of guessing, and the size of an HMAC-SHA256 block's worth of key.
    public static let byteCount = 32

    public let bytes: [UInt8]

    /// A new token from the system's cryptographic generator (`getrandom`).
    public static func random() -> ClusterToken { ClusterToken(exactly: SecureRandom.bytes(byteCount)) }

    public init(exactly bytes: [UInt8]) { self.bytes = bytes }

    /// Never prints the token itself.
    public var description: String { "ClusterToken(\(Self.byteCount) bytes)" }

    public static func == (lhs: ClusterToken, rhs: ClusterToken) -> Bool { ConstantTime.equal(lhs.bytes, rhs.bytes) }

    /// Writes the hex form and a newline to a new file at `path`, readable only by its owner
    /// (`0600`). Refuses to replace an existing file or to follow a symbolic link.
    public func write(to path: String) throws(ClusterTokenFileError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw errno == EEXIST ? .exists(path) : .system("create", path, errno) }
        defer { close(fd) }
        do throws(ClusterTokenFileError) {
            // The umask can only take bits away from 0600; this also undoes a umask that took the owner's.
            guard fchmod(fd, 0o600) == 0 else { throw .system("chmod", path, errno) }
            let text = Array((hex + "\n").utf8)
            guard text.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress, $0.count) }) == text.count, fsync(fd) == 0 else {
                throw .system("write", path, errno)
            }
        } catch {
            unlink(path)
            throw error
        }
    }

    /// Reads a token written by `write(to:)`. Refuses a symbolic link, a file of another user,
    /// and a file that group or others may read or write: whoever can read it can join the cluster.
    public static func read(from path: String) throws(ClusterTokenFileError) -> ClusterToken {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw errno == ELOOP ? .symbolicLink(path) : .system("open", path, errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .system("stat", path, errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .notAToken(path) }
        guard info.st_uid == geteuid() else { throw .wrongOwner(path, owner: info.st_uid) }
        guard info.st_mode & 0o077 == 0 else { throw .readableByOthers(path, mode: info.st_mode & 0o777) }
        // The hex form and a newline; a few bytes more are tolerated, a large file is not read.
        var text = [UInt8](repeating: 0, count: 2 * byteCount + 16)
        let count = text.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard count >= 0 else { throw .system("read", path, errno) }
        let hex = String(decoding: text[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let token = ClusterToken(hex: hex) else { throw .notAToken(path) }
        return token
    }
}

/// Why a cluster token file could not be written or read, and what to do about it.
public enum ClusterTokenFileError: Error, CustomStringConvertible, Sendable, Equatable {
    case exists(String)
    case symbolicLink(String)
    case wrongOwner(String, owner: uid_t)
    case readableByOthers(String, mode: mode_t)
    case notAToken(String)
    case system(String, String, Int32)

    public var description: String {
        switch self {
        case let .exists(path): "cluster token file \(path) exists already; it is not replaced (remove it first to make a new token)"
        case let .symbolicLink(path): "cluster token file \(path) is a symbolic link; refusing to follow it (use the real file's path)"
        case let .wrongOwner(path, owner):
            "cluster token file \(path) belongs to user \(owner), not to this user (\(geteuid())); copy it and make the copy yours"
        case let .readableByOthers(path, mode):
            "cluster token file \(path) may be read or written by group or others (mode \(String(mode, radix: 8))); run chmod 600 \(path)"
        case let .notAToken(path): "\(path) does not hold a cluster token (\(2 * ClusterToken.byteCount) hex digits)"
        case let .system(call, path, code): "\(call) \(path) failed: \(String(cString: strerror(code)))"
        }
    }
}
