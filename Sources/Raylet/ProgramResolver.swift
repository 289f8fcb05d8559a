import Glibc
import Logging
import RayCore
import RayTransport
import Synchronization

/// Finds, on this node, the program that a job's workers run when its driver is on another node
/// (docs/ARCHITECTURE.md, "Programs on every node"). The driver shipped it to the control store
/// by hash; the first time a worker of the job starts here, the path the driver named is used if
/// it holds those very bytes, and otherwise the program is fetched in 8 MiB pieces into this
/// machine's cache (`<root>/ray/executables_<uid>/<hex>`, private to the user and shared by
/// its nodes), verified and renamed into place. Jobs whose driver registered here, and jobs
/// whose driver shipped nothing, run the path as given. Blocking I/O, on the thread that starts
/// the worker, never under the node state's lock; one resolution at a time.
public final class ProgramResolver: Sendable {
    /// Why a job's program is not available on this node.
    public struct Failure: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// A file as it was when it was hashed: a changed file has another key.
    private struct FileKey: Hashable {
        var path: String
        var device: UInt64
        var inode: UInt64
        var size: Int
        var modified: Int
        var modifiedNanoseconds: Int
    }

    private struct State {
        var local: Set<JobID> = []
        var resolved: [JobID: String] = [:]
        var hashes: [FileKey: ContentHash] = [:]
    }

    /// The machine's cache of fetched programs.
    public let cacheDirectory: String
    private let connect: @Sendable () throws -> FramedConnection
    private let timeout: Double
    private let log: Logger
    private let state = Mutex(State())
    /// Held while a program is resolved, so two workers' starts do not fetch it twice.
    private let resolving = Mutex(())

    /// - Parameters:
    ///   - cacheDirectory: made with mode 0700 if missing; must be a private directory of this user.
    ///   - connect: opens an authenticated connection to the control store.
    ///   - timeout: seconds to wait for each answer of the control store.
    public init(cacheDirectory: String, timeout: Double = 60, log: Logger, connect: @escaping @Sendable () throws -> FramedConnection) {
        self.cacheDirectory = cacheDirectory
        self.connect = connect
        self.timeout = timeout
        self.log = log
    }

    /// The cache directory of a node whose session directory is `<root>/ray/session_…`.
    public static func cacheDirectory(forSession session: String) -> String {
        let parent = session.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return "\(parent)/executables_\(geteuid())"
    }

    /// The job's driver registered on this node: its workers run its path, as checked then.
    public func driverRegistered(_ job: JobID) {
        _ = state.withLock { $0.local.insert(job) }
    }

    /// The path to start a worker of `job` from, given the path its driver named.
    public func resolve(job: JobID, path: String) throws(Failure) -> String {
        if let known = state.withLock({ $0.local.contains(job) ? path : $0.resolved[job] }) { return known }
        return try resolving.withLock { _ throws(Failure) in
            if let known = state.withLock({ $0.resolved[job] }) { return known }
            let resolved = try fetchIfNeeded(job: job, path: path)
            state.withLock { $0.resolved[job] = resolved }
            return resolved
        }
    }

    private func fetchIfNeeded(job: JobID, path: String) throws(Failure) -> String {
        let connection: FramedConnection
        do {
            connection = try connect()
        } catch {
            throw Failure(reason: "cannot reach the control store to fetch the program of job \(job): \(error)")
        }
        defer { connection.close() }
        var timeval = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(connection.fd, SOL_SOCKET, SO_RCVTIMEO, &timeval, socklen_t(MemoryLayout<timeval>.size))
        var client = Client(connection: connection, timeout: timeout)
        guard case let .executableInfo(_, shipped, size) = try client.call({ .getJobExecutable(request: $0, jobID: job) }) else {
            throw Failure(reason: "the control store answered the question for job \(job)'s program with something else")
        }
        // Not shipped (its driver did not, or the job ended): the path as given.
        guard let hash = shipped else { return path }
        if hashIfPresent(path) == hash { return path }
        let cached = "\(cacheDirectory)/\(hash.hex)"
        if hashIfPresent(cached) == hash { return cached }
        let started = Self.now()
        try fetch(hash, size: size, to: cached, with: &client)
        log.info("fetched the program of job \(job) (\(hash), \(size) bytes) in \(String(format: "%.3f", Self.now() - started)) s into \(cached)")
        return cached
    }

    /// Fetches the program into the cache: a temporary file in the cache directory, verified,
    /// made 0500 and renamed to its hash.
    private func fetch(_ hash: ContentHash, size: Int, to destination: String, with client: inout Client) throws(Failure) {
        try makePrivateDirectory()
        let temporary = "\(cacheDirectory)/.fetch-\(hash.hex)-\(UInt64.random(in: 0 ... .max))"
        let fd = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(reason: "cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var renamed = false
        defer {
            close(fd)
            if !renamed { unlink(temporary) }
        }
        var offset = 0
        while offset < size {
            let count = min(WireLimits.executableChunkBytes, size - offset)
            let reply = try client.call { .readExecutable(request: $0, hash: hash, offset: offset, count: count) }
            switch reply {
            case let .executableChunk(_, totalSize, at, bytes) where totalSize == size && at == offset && !bytes.isEmpty:
                var done = 0
                while done < bytes.count {
                    let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, $0.count - done, off_t(offset + done)) }
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { throw Failure(reason: "cannot write \(temporary): \(String(cString: strerror(errno)))") }
                    done += n
                }
                offset += bytes.count
            case let .executableReply(_, error?):
                throw Failure(reason: "the control store cannot give program \(hash): \(error)")
            default:
                throw Failure(reason: "the control store answered a read of program \(hash) with \(reply.tag)")
            }
        }
        let actual: ContentHash
        do {
            actual = try SHA256.hash(fd: fd).hash
        } catch {
            throw Failure(reason: "\(error)")
        }
        guard actual == hash else { throw Failure(reason: "the program fetched as \(hash) hashes to \(actual)") }
        guard fchmod(fd, 0o500) == 0, rename(temporary, destination) == 0 else {
            throw Failure(reason: "cannot store \(destination): \(String(cString: strerror(errno)))")
        }
        renamed = true
    }

    /// The hash of the regular file at `path`, if there is one; computed once per version of it.
    private func hashIfPresent(_ path: String) -> ContentHash? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        let key = FileKey(path: path, device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int(info.st_size),
                          modified: info.st_mtim.tv_sec, modifiedNanoseconds: info.st_mtim.tv_nsec)
        if let known = state.withLock({ $0.hashes[key] }) { return known }
        guard let (hash, _) = try? SHA256.hash(fd: fd) else { return nil }
        state.withLock { $0.hashes[key] = hash }
        return hash
    }

    private func makePrivateDirectory() throws(Failure) {
        if mkdir(cacheDirectory, 0o700) != 0 && errno != EEXIST {
            throw Failure(reason: "cannot create \(cacheDirectory): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard lstat(cacheDirectory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == geteuid(), info.st_mode & 0o077 == 0 else {
            throw Failure(reason: "\(cacheDirectory) is not a private directory of this user (it must be mode 0700 and ours)")
        }
    }

    /// One request at a time on the resolver's connection.
    private struct Client {
        let connection: FramedConnection
        let timeout: Double
        var nextRequest: UInt64 = 1

        mutating func call(_ make: (UInt64) -> Message) throws(Failure) -> Message {
            let request = nextRequest
            nextRequest += 1
            do {
                try connection.send(make(request))
                return try connection.receive()
            } catch {
                if case let .system(_, code) = error, code == EAGAIN {
                    throw Failure(reason: "the control store did not answer within \(Int(timeout)) s")
                }
                throw Failure(reason: "lost the control store while fetching a program: \(error)")
            }
        }
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
