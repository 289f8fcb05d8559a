import Glibc
import RayCore
import RayTransport

/// How a driver that joins a cluster ships its program, so that nodes where its path does not
/// exist can still run its workers (docs/ARCHITECTURE.md, "Programs on every node"): it hashes
/// the executable the kernel runs (`/proc/self/exe`, which reads even when the file was replaced
/// or deleted), uploads it in 8 MiB pieces unless the control store has that hash already, and
/// names it as its job's program. One request at a time on a connection of its own.
struct ProgramShipping {
    /// What was shipped, and how long it took.
    struct Shipped: Sendable {
        var hash: ContentHash
        var size: Int
        /// False when the control store had it already.
        var uploaded: Bool
        var hashSeconds: Double
        var uploadSeconds: Double
    }

    let connection: FramedConnection
    private var nextRequest: UInt64 = 1

    init(connection: FramedConnection) { self.connection = connection }

    /// Uploads the program at `path` unless the control store has its hash.
    mutating func upload(_ path: String = "/proc/self/exe") throws -> Shipped {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw RayError.system("cannot read the program to ship (\(path)): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let started = Self.now()
        let (hash, size) = try SHA256.hash(fd: fd)
        let hashed = Self.now()
        guard size <= WireLimits.maxExecutableBytes else {
            throw RayError.system("the program \(path) has \(size) bytes, more than the \(WireLimits.maxExecutableBytes) a cluster ships")
        }
        guard case let .executableInfo(_, stored, _) = try call({ .queryExecutable(request: $0, hash: hash) }) else {
            throw RayError.system("the control store answered a program query with something else")
        }
        if stored == hash { return Shipped(hash: hash, size: size, uploaded: false, hashSeconds: hashed - started, uploadSeconds: 0) }
        var chunk = [UInt8](repeating: 0, count: WireLimits.executableChunkBytes)
        var offset = 0
        repeat {
            let count = min(chunk.count, size - offset)
            var done = 0
            while done < count {
                let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw RayError.system("cannot read the program to ship (\(path)): it changed while being read") }
                done += n
            }
            let piece = Array(chunk[0..<count])
            let reply = try call { .uploadExecutable(request: $0, hash: hash, totalSize: size, offset: offset, bytes: piece) }
            guard case let .executableReply(_, error) = reply else { throw RayError.system("the control store answered an upload with something else") }
            if let error { throw RayError.system("the control store refused the program \(hash): \(error)") }
            offset += count
        } while offset < size
        return Shipped(hash: hash, size: size, uploaded: true, hashSeconds: hashed - started, uploadSeconds: Self.now() - hashed)
    }

    /// Names the shipped program as the job's: nodes fetch it for the job's workers.
    mutating func assign(_ hash: ContentHash, to job: JobID) throws {
        guard case let .executableReply(_, error) = try call({ .setJobExecutable(request: $0, jobID: job, hash: hash) }) else {
            throw RayError.system("the control store answered with something else")
        }
        if let error { throw RayError.system("the control store did not take the program of job \(job): \(error)") }
    }

    private mutating func call(_ make: (UInt64) -> Message) throws -> Message {
        let request = nextRequest
        nextRequest += 1
        try connection.send(make(request))
        return try connection.receive()
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
