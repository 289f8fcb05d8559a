import Foundation
import Glibc
import RayCore
import RayTransport
import Synchronization
import Testing
@testable import Raylet

/// A control store that answers a resolver's questions from memory, over a socket pair.
final class FakeProgramStore: Sendable {
    let program: [UInt8]
    let hash: ContentHash
    /// What `getJobExecutable` answers: the program's hash, or nothing shipped.
    let shipped: Bool
    /// Bytes flipped in what `readExecutable` answers, to test verification.
    let corrupt: Bool
    /// Never answers, to test the timeout.
    let silent: Bool
    let connections = Atomic<Int>(0)
    let reads = Atomic<Int>(0)

    init(program: [UInt8], shipped: Bool = true, corrupt: Bool = false, silent: Bool = false) {
        self.program = program
        hash = SHA256.hash(program)
        self.shipped = shipped
        self.corrupt = corrupt
        self.silent = silent
    }

    func connect() throws -> FramedConnection {
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else { throw TransportError.system("socketpair", errno) }
        connections.wrappingAdd(1, ordering: .relaxed)
        let server = FramedConnection(fd: fds[1])
        server.startReading(name: "fake store", onMessage: { [self] message in
            guard !silent else { return }
            switch message {
            case let .getJobExecutable(request, _):
                try? server.send(.executableInfo(request: request, hash: shipped ? hash : nil, size: shipped ? program.count : 0))
            case let .readExecutable(request, _, offset, count):
                reads.wrappingAdd(1, ordering: .relaxed)
                var bytes = Array(program[offset..<min(program.count, offset + count)])
                if corrupt, !bytes.isEmpty { bytes[0] ^= 0xff }
                try? server.send(.executableChunk(request: request, totalSize: program.count, offset: offset, bytes: bytes))
            default:
                try? server.send(.executableReply(request: 0, error: "unexpected"))
            }
        }, onClose: { _ in server.close() })
        return FramedConnection(fd: fds[0])
    }
}

@Suite struct ProgramResolverTests {
    /// A fresh root with a program file in it; removed after `body`.
    static func withRoot(_ body: (String) throws -> Void) throws {
        var template = Array("/tmp/resolver-XXXXXX".utf8CString)
        let root = String(cString: try #require(mkdtemp(&template)))
        defer {
            // Cached programs are 0500 in a 0700 directory: removable by their owner.
            try? FileManager.default.removeItem(atPath: root)
        }
        try body(root)
    }

    static func resolver(_ root: String, _ store: FakeProgramStore, timeout: Double = 5) -> ProgramResolver {
        ProgramResolver(cacheDirectory: root + "/executables_\(geteuid())", timeout: timeout, log: RayLogging.logger("test")) {
            try store.connect()
        }
    }

    /// 20 MiB and a bit: three fetch pieces.
    static let program: [UInt8] = (0..<(20 << 20) + 12_345).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ ($0 >> 13)) }

    static func write(_ bytes: [UInt8], to path: String) {
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
    }

    @Test func aMissingPathIsFetchedIntoTheCacheOnce() throws {
        try Self.withRoot { root throws in
            let store = FakeProgramStore(program: Self.program)
            let resolver = Self.resolver(root, store)
            let path = try resolver.resolve(job: JobID(1), path: "/no/such/program")
            #expect(path == "\(root)/executables_\(geteuid())/\(store.hash.hex)")
            #expect(FileManager.default.contents(atPath: path) == Data(Self.program))
            var info = stat()
            #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o500)
            #expect(stat(resolver.cacheDirectory, &info) == 0 && info.st_mode & 0o777 == 0o700)
            #expect(store.reads.load(ordering: .relaxed) == 3)
            // The same job again asks nothing; another job of the same program finds it cached.
            #expect(try resolver.resolve(job: JobID(1), path: "/no/such/program") == path)
            #expect(store.connections.load(ordering: .relaxed) == 1)
            #expect(try resolver.resolve(job: JobID(2), path: "/no/such/program") == path)
            #expect(store.reads.load(ordering: .relaxed) == 3)
            // So does another node's resolver on this machine (same cache directory).
            #expect(try Self.resolver(root, store).resolve(job: JobID(3), path: "/elsewhere") == path)
            #expect(store.reads.load(ordering: .relaxed) == 3)
            #expect(try FileManager.default.contentsOfDirectory(atPath: resolver.cacheDirectory) == [store.hash.hex])
        }
    }

    @Test func aPathWithTheSameBytesIsUsedAsItIs() throws {
        try Self.withRoot { root throws in
            let store = FakeProgramStore(program: Array(Self.program[0..<1000]))
            Self.write(store.program, to: root + "/app")
            #expect(try Self.resolver(root, store).resolve(job: JobID(1), path: root + "/app") == root + "/app")
            #expect(store.reads.load(ordering: .relaxed) == 0)
            // Another program at that path (the driver's machine has a newer build): fetched.
            Self.write(Array(Self.program[1...1000]), to: root + "/app")
            #expect(try Self.resolver(root, store).resolve(job: JobID(2), path: root + "/app") != root + "/app")
            #expect(store.reads.load(ordering: .relaxed) == 1)
        }
    }

    @Test func aJobWithoutAShippedProgramOrWithItsDriverHereRunsThePathGiven() throws {
        try Self.withRoot { root throws in
            let store = FakeProgramStore(program: [1, 2, 3], shipped: false)
            let resolver = Self.resolver(root, store)
            #expect(try resolver.resolve(job: JobID(1), path: "/no/such/program") == "/no/such/program")
            resolver.driverRegistered(JobID(2))
            #expect(try resolver.resolve(job: JobID(2), path: "/bin/true") == "/bin/true")
            #expect(store.connections.load(ordering: .relaxed) == 1)
        }
    }

    @Test func bytesThatDoNotMatchTheHashAreRefusedAndLeaveNothing() throws {
        try Self.withRoot { root throws in
            let store = FakeProgramStore(program: Array(Self.program[0..<5000]), corrupt: true)
            let resolver = Self.resolver(root, store)
            let failure = #expect(throws: ProgramResolver.Failure.self) { try resolver.resolve(job: JobID(1), path: "/no/such/program") }
            #expect(failure?.reason.contains("hashes to") == true, "\(String(describing: failure))")
            #expect(try FileManager.default.contentsOfDirectory(atPath: resolver.cacheDirectory).isEmpty)
        }
    }

    @Test func aSilentOrUnreachableStoreFailsInTime() throws {
        try Self.withRoot { root throws in
            let silent = FakeProgramStore(program: [1], silent: true)
            let started = Date()
            let failure = #expect(throws: ProgramResolver.Failure.self) {
                try Self.resolver(root, silent, timeout: 0.3).resolve(job: JobID(1), path: "/no/such/program")
            }
            #expect(failure?.reason.contains("did not answer") == true, "\(String(describing: failure))")
            #expect(Date().timeIntervalSince(started) < 5)
            let unreachable = ProgramResolver(cacheDirectory: root + "/c", log: RayLogging.logger("test")) {
                throw TransportError.closed
            }
            let refused = #expect(throws: ProgramResolver.Failure.self) { try unreachable.resolve(job: JobID(1), path: "/x") }
            #expect(refused?.reason.contains("cannot reach the control store") == true)
        }
    }

    @Test func aCacheDirectoryOthersCanUseIsRefused() throws {
        try Self.withRoot { root throws in
            let store = FakeProgramStore(program: [1, 2, 3])
            let resolver = Self.resolver(root, store)
            mkdir(resolver.cacheDirectory, 0o777)
            chmod(resolver.cacheDirectory, 0o777)
            let failure = #expect(throws: ProgramResolver.Failure.self) { try resolver.resolve(job: JobID(1), path: "/no/such/program") }
            #expect(failure?.reason.contains("not a private directory") == true)
        }
    }

    @Test func theCacheIsBesideTheSessions() {
        #expect(ProgramResolver.cacheDirectory(forSession: "/tmp/rt1/ray/session_x") == "/tmp/rt1/ray/executables_\(geteuid())")
    }
}
