import Foundation
import Glibc
@testable import RayTransport
import Testing

@Suite struct ClusterTokenTests {
    /// A fresh directory for token files, removed with what it holds.
    private final class Scratch {
        let directory = "/tmp/ray-token-test-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        init() { mkdir(directory, 0o700) }
        deinit { try? FileManager.default.removeItem(atPath: directory) }
        func path(_ name: String) -> String { "\(directory)/\(name)" }
    }

    @Test func isWrittenForItsOwnerOnlyAndReadBack() throws {
        let scratch = Scratch()
        let old = umask(0)
        defer { umask(old) }
        let token = ClusterToken.random()
        try token.write(to: scratch.path("token"))
        var info = stat()
        #expect(stat(scratch.path("token"), &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(try ClusterToken.read(from: scratch.path("token")) == token)
    }

    @Test func anExistingFileIsNotReplaced() throws {
        let scratch = Scratch()
        try ClusterToken.random().write(to: scratch.path("token"))
        #expect(throws: ClusterTokenFileError.exists(scratch.path("token"))) { try ClusterToken.random().write(to: scratch.path("token")) }
        // Nor is the target of a symbolic link written through it.
        symlink(scratch.path("elsewhere"), scratch.path("link"))
        #expect(throws: ClusterTokenFileError.self) { try ClusterToken.random().write(to: scratch.path("link")) }
        #expect(access(scratch.path("elsewhere"), F_OK) != 0)
    }

    @Test func aFileOthersMayReadIsRefusedWithTheFix() throws {
        let scratch = Scratch()
        let path = scratch.path("token")
        try ClusterToken.random().write(to: path)
        chmod(path, 0o644)
        let error = #expect(throws: ClusterTokenFileError.readableByOthers(path, mode: 0o644)) { try ClusterToken.read(from: path) }
        #expect(error?.description.contains("chmod 600 \(path)") == true)
        chmod(path, 0o620)
        #expect(throws: ClusterTokenFileError.readableByOthers(path, mode: 0o620)) { try ClusterToken.read(from: path) }
    }

    /// Only root can give a file away, so only root runs this.
    @Test(.enabled(if: geteuid() == 0)) func aFileOfAnotherUserIsRefused() throws {
        let scratch = Scratch()
        let path = scratch.path("token")
        try ClusterToken.random().write(to: path)
        #expect(chown(path, 65534, 65534) == 0)
        let error = #expect(throws: ClusterTokenFileError.wrongOwner(path, owner: 65534)) { try ClusterToken.read(from: path) }
        #expect(error?.description.contains("belongs to user 65534") == true)
    }

    @Test func aSymbolicLinkIsRefused() throws {
        let scratch = Scratch()
        try ClusterToken.random().write(to: scratch.path("token"))
        symlink(scratch.path("token"), scratch.path("link"))
        let error = #expect(throws: ClusterTokenFileError.symbolicLink(scratch.path("link"))) { try ClusterToken.read(from: scratch.path("link")) }
        #expect(error?.description.contains("symbolic link") == true)
    }

    @Test func aFileWithoutATokenIsRefused() throws {
        let scratch = Scratch()
        let path = scratch.path("token")
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        _ = "not a token\n".withCString { write(fd, $0, strlen($0)) }
        close(fd)
        #expect(throws: ClusterTokenFileError.notAToken(path)) { try ClusterToken.read(from: path) }
        #expect(throws: ClusterTokenFileError.self) { try ClusterToken.read(from: scratch.path("missing")) }
    }

    @Test func roundTripsThroughHexAndNeverPrintsItself() {
        let token = ClusterToken.random()
        #expect(token.bytes.count * 8 >= 256)
        #expect(ClusterToken(hex: token.hex) == token)
        #expect(ClusterToken(hex: token.hex.uppercased()) == token)
        #expect(ClusterToken(hex: String(token.hex.dropLast())) == nil)
        #expect(ClusterToken(hex: String(repeating: "zz", count: 32)) == nil)
        #expect(ClusterToken.random() != token)
        #expect(!"\(token)".contains(token.hex))
    }
}
