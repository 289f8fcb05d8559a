import Foundation
import Glibc
import Logging
import RayCore
@testable import RayTransport
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1))) struct ListenerTests {
    /// A listener on a fresh socket path, and what reached its `onConnection`.
    private final class Accepted: Sendable {
        let connections = Mutex<[FramedConnection]>([])
    }

    private final class Harness: Sendable {
        let path = "/tmp/ray-listener-test-\(getpid())-\(UInt32.random(in: 0 ... .max)).sock"
        let secret = SessionSecret.random()
        let listener: Listener
        let accepted = Accepted()

        init(handshakeTimeout: Double = Handshake.defaultTimeout, start: Bool = true) throws {
            listener = try Listener(path: path, secret: secret, log: RayLogging.logger("test"), handshakeTimeout: handshakeTimeout)
            if start { listener.start { [accepted] connection in accepted.connections.withLock { $0.append(connection) } } }
        }

        deinit {
            listener.close()
            for connection in accepted.connections.withLock({ $0 }) { connection.close() }
        }

        var acceptedCount: Int { accepted.connections.withLock { $0.count } }
    }

    /// Whether the service closed `fd`: a read sees end-of-file (or a reset) within a few seconds.
    private static func closedByPeer(_ fd: Int32, within seconds: Int32 = 5) -> Bool {
        var pollfd = Glibc.pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pollfd, 1, seconds * 1000) == 1 else { return false }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) <= 0
    }

    private static func send(_ bytes: [UInt8], to fd: Int32) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    @Test func aClientWithTheSecretIsServedAndItsFirstMessageFollowsTheHandshake() async throws {
        let harness = try Harness()
        let client = try FramedConnection.connect(path: harness.path, secret: harness.secret)
        defer { client.close() }
        try client.send(.shutdown)
        try await waitUntil { harness.acceptedCount == 1 }
        let served = harness.accepted.connections.withLock { $0[0] }
        #expect(try served.receive() == .shutdown)
    }

    @Test func aWrongSecretIsRefused() async throws {
        let harness = try Harness()
        let fd = try UnixSocket.connect(path: harness.path, secret: SessionSecret.random())
        defer { close(fd) }
        #expect(Self.closedByPeer(fd))
        #expect(harness.acceptedCount == 0)
    }

    @Test func aFirstFrameThatIsNotAHandshakeIsRefusedBeforeItIsRead() async throws {
        let harness = try Harness()
        // A frame announcing 1 GiB: refused on its length, nothing allocated for it.
        let fd = try UnixSocket.connect(path: harness.path)
        defer { close(fd) }
        Self.send([0, 0, 0, 64] + Array(repeating: 7, count: 100), to: fd)
        #expect(Self.closedByPeer(fd))
        // A plain message where the handshake belongs.
        let other = try UnixSocket.connect(path: harness.path)
        defer { close(other) }
        Self.send(Message.register(ClientRegistration(kind: .driver, pid: 1, jobID: JobID(0))).frame, to: other)
        #expect(Self.closedByPeer(other))
        #expect(harness.acceptedCount == 0)
    }

    @Test func aSilentClientIsClosedAtTheDeadline() async throws {
        let harness = try Harness(handshakeTimeout: 0.2)
        let fd = try UnixSocket.connect(path: harness.path)
        defer { close(fd) }
        let start = Date()
        #expect(Self.closedByPeer(fd))
        #expect(Date().timeIntervalSince(start) < 4)
        #expect(harness.acceptedCount == 0)
    }

    @Test func theSocketFileIsOnlyForItsOwner() throws {
        let old = umask(0)
        defer { umask(old) }
        let harness = try Harness()
        var info = stat()
        #expect(stat(harness.path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
    }

    @Test func runningOutOfDescriptorsBacksOffAndKeepsAccepting() async throws {
        let harness = try Harness(start: false)
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        defer { close(fds[1]) }
        try Handshake.introduce(fd: fds[1], secret: harness.secret)
        // accept fails with EMFILE three times, then returns a connection, then the listener closes.
        let script = Mutex<[Result<Int32, AcceptError>]>([
            .failure(AcceptError(code: EMFILE)), .failure(AcceptError(code: EMFILE)), .failure(AcceptError(code: ENFILE)),
            .success(fds[0]),
        ])
        let (listener, accepted) = (harness.listener, harness.accepted)
        FramedConnection.startThread(name: "test accept loop") {
            listener.acceptLoop(accept: {
                script.withLock { $0.isEmpty ? .failure(AcceptError(code: EBADF)) : $0.removeFirst() }
            }, onConnection: { connection in accepted.connections.withLock { $0.append(connection) } })
        }
        try await waitUntil { harness.acceptedCount == 1 }
    }

    @Test func theSecretRoundTripsThroughHexAndComparesByValue() throws {
        let secret = SessionSecret.random()
        #expect(SessionSecret(hex: secret.hex) == secret)
        #expect(SessionSecret(hex: String(secret.hex.dropLast())) == nil)
        #expect(SessionSecret(hex: String(repeating: "zz", count: 32)) == nil)
        #expect(!secret.matches(SessionSecret.random().bytes))
        #expect(!secret.matches(secret.bytes.dropLast()))
        #expect(!"\(secret)".contains(secret.hex))
    }
}

@Suite struct BusyPollSettingTests {
    @Test func badBudgetsAreRefusedWithTheVariablesName() throws {
        for bad in ["1e17", "-1", "abc", "18446744073709551615", "1000001"] {
            let error = #expect(throws: BusyPollSettingError.self) { try BusyPoll.fromEnvironment(["RAY_BUSY_POLL_US": bad]) }
            #expect(error?.description.contains("RAY_BUSY_POLL_US=\(bad)") == true)
        }
        #expect(try BusyPoll.fromEnvironment(["RAY_BUSY_POLL_US": "0"]).budget == 0)
        #expect(try BusyPoll.fromEnvironment([:]).budget == 250_000)
        // Even a budget built in code cannot overflow.
        #expect(BusyPoll(microseconds: .max).budget == BusyPoll.maxMicroseconds * 1000)
    }
}

@Suite struct RayLoggingTests {
    @Test func theLevelComesFromRAY_LOG_LEVEL() {
        #expect(RayLogging.level(from: ["RAY_LOG_LEVEL": "debug"]) == .debug)
        #expect(RayLogging.level(from: ["RAY_LOG_LEVEL": "ERROR"]) == .error)
        #expect(RayLogging.level(from: ["RAY_LOG_LEVEL": "loud"]) == RayLogging.defaultLevel)
        #expect(RayLogging.level(from: [:]) == .info)
        #expect(RayLogging.logger("raylet").label == "ray.raylet")
    }
}
