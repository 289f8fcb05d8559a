import Glibc
import RayCore
import RayTransport
import Synchronization

/// The programs of a cluster's jobs, stored by the SHA-256 of their bytes so that any node can
/// fetch the one its tasks need (docs/ARCHITECTURE.md, "Programs on every node"). On disk, never
/// whole in memory: `<directory>/<hex of the hash>`, the directory mode 0700 and each file 0500.
/// An upload is written to a temporary name (`.upload-…`) in order, piece by piece; when its last
/// byte arrives the file is hashed, and only a file whose hash is the one announced is renamed to
/// its name: a partial or wrong upload is never visible. Names are only ever a hash's hex, so
/// nothing is written outside the directory. The control store's server calls it outside the
/// lock of its tables.
final class ExecutableStore: Sendable {
    /// Why the store refused a request.
    enum Failure: Error, Equatable, CustomStringConvertible {
        case tooLarge(size: Int, limit: Int)
        case outOfOrder(hash: ContentHash, expected: Int, got: Int)
        case sizeChanged(hash: ContentHash, was: Int, now: Int)
        case beyondEnd(hash: ContentHash, end: Int, size: Int)
        case hashMismatch(announced: ContentHash, actual: ContentHash)
        case notStored(ContentHash)
        case io(String)

        var description: String {
            switch self {
            case let .tooLarge(size, limit): "a program of \(size) bytes is over the limit of \(limit)"
            case let .outOfOrder(hash, expected, got): "the upload of \(hash) expected the bytes at offset \(expected), not \(got)"
            case let .sizeChanged(hash, was, now): "the upload of \(hash) announced \(was) bytes, then \(now)"
            case let .beyondEnd(hash, end, size): "bytes up to \(end) of \(hash) asked for, but it has \(size)"
            case let .hashMismatch(announced, actual): "the uploaded bytes hash to \(actual), not \(announced) as announced: refused"
            case let .notStored(hash): "the control store has no program \(hash)"
            case let .io(reason): reason
            }
        }
    }

    private struct Upload {
        var fd: Int32
        var path: String
        var totalSize: Int
        var received: Int
    }

    private struct UploadKey: Hashable {
        var client: GCSClientID
        var hash: ContentHash
    }

    let directory: String
    let maxBytes: Int
    private let uploads = Mutex<[UploadKey: Upload]>([:])

    /// Creates the directory (mode 0700) if needed; an existing one must be a directory of this
    /// user that no one else may use.
    init(directory: String, maxBytes: Int = WireLimits.maxExecutableBytes) throws(Failure) {
        self.directory = directory
        self.maxBytes = maxBytes
        if mkdir(directory, 0o700) != 0 && errno != EEXIST { throw .io("cannot create \(directory): \(String(cString: strerror(errno)))") }
        var info = stat()
        guard lstat(directory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == geteuid(), info.st_mode & 0o077 == 0 else {
            throw .io("\(directory) is not a private directory of this user")
        }
    }

    func path(of hash: ContentHash) -> String { "\(directory)/\(hash.hex)" }

    /// The size of the stored program, or nil if it is not stored (complete).
    func size(of hash: ContentHash) -> Int? {
        var info = stat()
        guard lstat(path(of: hash), &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return Int(info.st_size)
    }

    /// Takes the next piece of `client`'s upload of `hash`: pieces come in order from offset 0.
    /// Returns true when this piece completed the program and it was stored. Any failure ends the
    /// upload (its temporary file goes); the client starts again from offset 0.
    func receive(_ hash: ContentHash, totalSize: Int, offset: Int, bytes: [UInt8], from client: GCSClientID) throws(Failure) -> Bool {
        let key = UploadKey(client: client, hash: hash)
        let result: Result<Bool, Failure> = uploads.withLock { uploads in
            do throws(Failure) {
                return .success(try receive(key, totalSize: totalSize, offset: offset, bytes: bytes, uploads: &uploads))
            } catch {
                if let upload = uploads.removeValue(forKey: key) { discard(upload) }
                return .failure(error)
            }
        }
        return try result.get()
    }

    private func receive(_ key: UploadKey, totalSize: Int, offset: Int, bytes: [UInt8], uploads: inout [UploadKey: Upload]) throws(Failure) -> Bool {
        guard totalSize <= maxBytes else { throw .tooLarge(size: totalSize, limit: maxBytes) }
        guard offset >= 0, bytes.count <= totalSize, offset <= totalSize - bytes.count else {
            throw .beyondEnd(hash: key.hash, end: offset + bytes.count, size: totalSize)
        }
        if offset == 0, let stale = uploads.removeValue(forKey: key) { discard(stale) }
        if uploads[key] == nil {
            guard offset == 0 else { throw .outOfOrder(hash: key.hash, expected: 0, got: offset) }
            let temporary = "\(directory)/.upload-\(key.hash.hex)-\(UInt64.random(in: 0 ... .max))"
            let fd = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw .io("cannot create \(temporary): \(String(cString: strerror(errno)))") }
            uploads[key] = Upload(fd: fd, path: temporary, totalSize: totalSize, received: 0)
        }
        let upload = uploads[key]!
        guard upload.totalSize == totalSize else { throw .sizeChanged(hash: key.hash, was: upload.totalSize, now: totalSize) }
        guard upload.received == offset else { throw .outOfOrder(hash: key.hash, expected: upload.received, got: offset) }
        try writeAll(bytes, to: upload.fd, at: offset, path: upload.path)
        uploads[key]!.received += bytes.count
        guard uploads[key]!.received == totalSize else { return false }
        uploads[key] = nil
        defer { discard(upload) }
        let actual: ContentHash
        do {
            actual = try SHA256.hash(fd: upload.fd).hash
        } catch {
            throw .io("\(error)")
        }
        guard actual == key.hash else { throw .hashMismatch(announced: key.hash, actual: actual) }
        guard fchmod(upload.fd, 0o500) == 0, rename(upload.path, path(of: key.hash)) == 0 else {
            throw .io("cannot store \(path(of: key.hash)): \(String(cString: strerror(errno)))")
        }
        return true
    }

    /// Up to `count` bytes of a stored program from `offset`, and its size.
    func read(_ hash: ContentHash, offset: Int, count: Int) throws(Failure) -> (totalSize: Int, bytes: [UInt8]) {
        let fd = open(path(of: hash), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw errno == ENOENT ? .notStored(hash) : .io("cannot open \(path(of: hash)): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io("cannot stat \(path(of: hash))") }
        let size = Int(info.st_size)
        guard offset >= 0, count >= 0, offset <= size else { throw .beyondEnd(hash: hash, end: offset + count, size: size) }
        var bytes = [UInt8](repeating: 0, count: min(count, size - offset))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, $0.count - done, off_t(offset + done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw .io("cannot read \(path(of: hash)): \(n == 0 ? "it ended early" : String(cString: strerror(errno)))") }
            done += n
        }
        return (size, bytes)
    }

    /// The client's connection closed: its unfinished uploads go.
    func abandon(_ client: GCSClientID) {
        let gone = uploads.withLock { uploads in
            let keys = uploads.keys.filter { $0.client == client }
            return keys.compactMap { uploads.removeValue(forKey: $0) }
        }
        gone.forEach(discard)
    }

    private func discard(_ upload: Upload) {
        close(upload.fd)
        unlink(upload.path)
    }

    private func writeAll(_ bytes: [UInt8], to fd: Int32, at offset: Int, path: String) throws(Failure) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, $0.count - done, off_t(offset + done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw .io("cannot write \(path): \(String(cString: strerror(errno)))") }
            done += n
        }
    }
}
