import Glibc
import RayCore
import RayTransport
import Testing

@Suite struct SHA256Tests {
    /// FIPS 180-2 examples, and the empty input.
    @Test(arguments: [
        (data: "", digest: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        (data: "abc", digest: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (data: "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", digest: "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func matchesTheStandardVectors(vector: (data: String, digest: String)) {
        #expect(SHA256.hash(Array(vector.data.utf8)).hex == vector.digest)
    }

    /// A file of more than one 1 MiB read: the million-'a' vector, plus one more byte's worth of
    /// spill over the read size checked against hashing the bytes at once.
    @Test func hashesAFileInPieces() throws {
        var template = Array("/tmp/sha-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        try #require(fd >= 0)
        defer {
            close(fd)
            unlink(String(cString: template))
        }
        let million = [UInt8](repeating: 0x61, count: 1_000_000)
        #expect(million.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == million.count)
        let (hash, size) = try SHA256.hash(fd: fd)
        #expect(size == 1_000_000)
        #expect(hash.hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        let more = (0..<(1 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 * 7) }
        #expect(more.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == more.count)
        let whole = try SHA256.hash(path: String(cString: template))
        #expect(whole.size == million.count + more.count && whole.hash == SHA256.hash(million + more))
        #expect(throws: SHA256.HashError.self) { try SHA256.hash(path: "/nonexistent/file") }
    }
}
