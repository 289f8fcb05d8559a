import Foundation
import Glibc
import RayCore
import RayTransport
import Testing
@testable import RayGCS

@Suite struct ExecutableStoreTests {
    let client = GCSClientID(1), other = GCSClientID(2)

    /// A store in a fresh directory, removed after `body`.
    static func withStore(maxBytes: Int = WireLimits.maxExecutableBytes, _ body: (ExecutableStore) throws -> Void) throws {
        var template = Array("/tmp/exestore-XXXXXX".utf8CString)
        let root = String(cString: try #require(mkdtemp(&template)))
        defer { try? FileManager.default.removeItem(atPath: root) }
        try body(try ExecutableStore(directory: root + "/executables", maxBytes: maxBytes))
    }

    static func program(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) } }

    /// The names in the store's directory.
    static func entries(_ store: ExecutableStore) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: store.directory))?.sorted() ?? []
    }

    @Test func aChunkedUploadIsStoredUnderItsHashOnlyWhenComplete() throws {
        try Self.withStore { store throws in
            let bytes = Self.program(10_000), hash = SHA256.hash(bytes)
            var info = stat()
            #expect(lstat(store.directory, &info) == 0 && info.st_mode & 0o777 == 0o700)
            #expect(try !store.receive(hash, totalSize: bytes.count, offset: 0, bytes: Array(bytes[0..<4000]), from: client))
            #expect(store.size(of: hash) == nil, "a partial upload is not visible")
            #expect(Self.entries(store).allSatisfy { $0.hasPrefix(".upload-") })
            #expect(try !store.receive(hash, totalSize: bytes.count, offset: 4000, bytes: Array(bytes[4000..<8000]), from: client))
            #expect(try store.receive(hash, totalSize: bytes.count, offset: 8000, bytes: Array(bytes[8000...]), from: client))
            #expect(store.size(of: hash) == bytes.count)
            #expect(Self.entries(store) == [hash.hex])
            #expect(lstat(store.path(of: hash), &info) == 0 && info.st_mode & 0o777 == 0o500)
            let (total, first) = try store.read(hash, offset: 0, count: 6000)
            let (_, rest) = try store.read(hash, offset: 6000, count: 6000)
            #expect(total == bytes.count && first + rest == bytes)
            #expect(try store.read(hash, offset: bytes.count, count: 10).bytes.isEmpty)
        }
    }

    @Test func aMismatchedHashIsRefusedAndLeavesNothing() throws {
        try Self.withStore { store throws in
            let bytes = Self.program(100), claimed = SHA256.hash(Array("something else".utf8))
            #expect(throws: ExecutableStore.Failure.hashMismatch(announced: claimed, actual: SHA256.hash(bytes))) {
                try store.receive(claimed, totalSize: bytes.count, offset: 0, bytes: bytes, from: client)
            }
            #expect(store.size(of: claimed) == nil)
            #expect(Self.entries(store).isEmpty)
        }
    }

    @Test func sizesAndOffsetsAreChecked() throws {
        try Self.withStore(maxBytes: 1_000) { store throws in
            let bytes = Self.program(100), hash = SHA256.hash(bytes)
            #expect(throws: ExecutableStore.Failure.tooLarge(size: 1_001, limit: 1_000)) {
                try store.receive(hash, totalSize: 1_001, offset: 0, bytes: [], from: client)
            }
            #expect(throws: ExecutableStore.Failure.beyondEnd(hash: hash, end: 101, size: 100)) {
                try store.receive(hash, totalSize: 100, offset: 1, bytes: bytes, from: client)
            }
            #expect(throws: ExecutableStore.Failure.outOfOrder(hash: hash, expected: 0, got: 50)) {
                try store.receive(hash, totalSize: 100, offset: 50, bytes: Array(bytes[50...]), from: client)
            }
            // A gap or a changed size ends the upload; it starts again from 0.
            _ = try store.receive(hash, totalSize: 100, offset: 0, bytes: Array(bytes[0..<10]), from: client)
            #expect(throws: ExecutableStore.Failure.outOfOrder(hash: hash, expected: 10, got: 20)) {
                try store.receive(hash, totalSize: 100, offset: 20, bytes: Array(bytes[20..<30]), from: client)
            }
            _ = try store.receive(hash, totalSize: 100, offset: 0, bytes: Array(bytes[0..<10]), from: client)
            #expect(throws: ExecutableStore.Failure.sizeChanged(hash: hash, was: 100, now: 90)) {
                try store.receive(hash, totalSize: 90, offset: 10, bytes: Array(bytes[10..<20]), from: client)
            }
            #expect(Self.entries(store).isEmpty, "failed uploads leave no file")
            #expect(throws: ExecutableStore.Failure.notStored(hash)) { try store.read(hash, offset: 0, count: 1) }
        }
    }

    @Test func uploadsOfTwoClientsAreSeparateAndAClosedClientsGo() throws {
        try Self.withStore { store throws in
            let bytes = Self.program(1_000), hash = SHA256.hash(bytes)
            _ = try store.receive(hash, totalSize: bytes.count, offset: 0, bytes: Array(bytes[0..<500]), from: client)
            _ = try store.receive(hash, totalSize: bytes.count, offset: 0, bytes: Array(bytes[0..<100]), from: other)
            #expect(Self.entries(store).count == 2)
            store.abandon(other)
            #expect(Self.entries(store).count == 1)
            #expect(try store.receive(hash, totalSize: bytes.count, offset: 500, bytes: Array(bytes[500...]), from: client))
            #expect(Self.entries(store) == [hash.hex])
            // Stored twice is harmless: the same bytes under the same name.
            #expect(try store.receive(hash, totalSize: bytes.count, offset: 0, bytes: bytes, from: other))
            #expect(Self.entries(store) == [hash.hex] && store.size(of: hash) == bytes.count)
        }
    }

    @Test func anEmptyProgramIsStoredByItsOneEmptyPiece() throws {
        try Self.withStore { store throws in
            let hash = SHA256.hash([])
            #expect(try store.receive(hash, totalSize: 0, offset: 0, bytes: [], from: client))
            #expect(store.size(of: hash) == 0)
        }
    }

    @Test func aDirectoryOthersCanUseIsRefused() throws {
        var template = Array("/tmp/exestore-XXXXXX".utf8CString)
        let root = String(cString: try #require(mkdtemp(&template)))
        defer { try? FileManager.default.removeItem(atPath: root) }
        chmod(root, 0o755)
        #expect(throws: ExecutableStore.Failure.self) { try ExecutableStore(directory: root) }
    }

    @Test func theTablesKeepAJobsProgramForItsLife() throws {
        var tables = GCSTables()
        let job = try GCSTablesTests.registerJob(&tables, from: client)
        let hash = SHA256.hash([1]), second = SHA256.hash([2])
        #expect(tables.setJobExecutable(JobID(99), hash: hash, size: 1) != nil, "not a live job")
        #expect(tables.setJobExecutable(job, hash: hash, size: 1) == nil)
        #expect(tables.setJobExecutable(job, hash: second, size: 1) != nil, "a job runs one program")
        let answer = tables.handle(.getJobExecutable(request: 3, jobID: job), from: other, now: 0)
        #expect(answer?.map(\.message) == [.executableInfo(request: 3, hash: hash, size: 1)])
        _ = tables.clientClosed(client)
        let after = tables.handle(.getJobExecutable(request: 4, jobID: job), from: other, now: 0)
        #expect(after?.map(\.message) == [.executableInfo(request: 4, hash: nil, size: 0)])
    }
}
