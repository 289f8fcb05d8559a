import Foundation
import Glibc
import RayCore
@testable import RayTransport
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1))) struct TokenHandshakeTests {
    private final class Accepted: Sendable {
        let connections = Mutex<[FramedConnection]>([])
        var count: Int { connections.withLock { $0.count } }
    }

    /// A TCP listener on a free loopback port, and what reached its `onConnection`.
    private final class Harness: Sendable {
        let token = ClusterToken.random()
        let listener: Listener
        let accepted = Accepted()

        init(handshakeTimeout: Double = Handshake.defaultTimeout) throws {
            listener = try Listener(tcp: NetworkAddress(ipv4: 0x7F00_0001, port: 0), token: token, log: RayLogging.logger("test"),
                                    handshakeTimeout: handshakeTimeout)
            listener.start { [accepted] connection in accepted.connections.withLock { $0.append(connection) } }
        }

        deinit {
            listener.close()
            for connection in accepted.connections.withLock({ $0 }) { connection.close() }
        }

        var address: NetworkAddress { listener.address! }
    }

    /// Runs the service's side on `pair.server` on another thread; its outcome arrives in `outcome`.
    private final class ServiceSide: Sendable {
        let outcome = Mutex<Result<Void, TransportError>?>(nil)

        init(_ pair: TCPPair, token: ClusterToken, timeout: Double = Handshake.defaultTimeout) {
            FramedConnection.startThread(name: "test service handshake") { [self] in
                let result: Result<Void, TransportError>
                do throws(TransportError) {
                    try TokenHandshake.authenticate(fd: pair.server, token: token, timeout: timeout)
                    result = .success(())
                } catch {
                    // As a listener does (the descriptor itself is the pair's to close).
                    shutdown(pair.server, Int32(SHUT_RDWR))
                    result = .failure(error)
                }
                outcome.withLock { $0 = result }
            }
        }

        func error() async throws -> TransportError? {
            try await waitUntil { outcome.withLock { $0 != nil } }
            guard case let .failure(error) = outcome.withLock({ $0 }) else { return nil }
            return error
        }
    }

    private static func closedByPeer(_ fd: Int32, within seconds: Int32 = 5) -> Bool {
        var pollfd = Glibc.pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pollfd, 1, seconds * 1000) == 1 else { return false }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) <= 0
    }

    /// Reads exactly `count` bytes (the test's side of a handshake), or fewer if the peer closes.
    private static func read(_ count: Int, from fd: Int32) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + filled, count - filled, 0) }
            guard n > 0 else { break }
            filled += n
        }
        return Array(bytes[..<filled])
    }

    private static func send(_ bytes: [UInt8], to fd: Int32) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    @Test func theRightTokenIsAcceptedBothWaysAndFramesFlow() async throws {
        let harness = try Harness()
        #expect(harness.address.port != 0)
        let client = try FramedConnection.connect(to: harness.address, token: harness.token, timeout: 2)
        defer { client.close() }
        try client.send(.shutdown)
        try await waitUntil { harness.accepted.count == 1 }
        let served = harness.accepted.connections.withLock { $0[0] }
        #expect(try served.receive() == .shutdown)
        try served.send(.killActor(TaskID(high: 1, low: 2)))
        #expect(try client.receive() == .killActor(TaskID(high: 1, low: 2)))
    }

    @Test func aWrongTokenIsRefusedOnBothSides() async throws {
        let harness = try Harness()
        let error = #expect(throws: TransportError.self) { _ = try FramedConnection.connect(to: harness.address, token: .random(), timeout: 2) }
        #expect(error?.description.contains("wrong cluster token") == true)
        #expect(harness.accepted.count == 0)

        let pair = try TCPPair()
        defer { pair.close() }
        let service = ServiceSide(pair, token: .random())
        let clientError = #expect(throws: TransportError.self) { try TokenHandshake.introduce(fd: pair.client, token: .random(), timeout: 2) }
        #expect(clientError?.description.contains("wrong cluster token") == true)
        let serviceError = try await service.error()
        #expect(serviceError?.description.contains("wrong cluster token") == true)
    }

    @Test func aSilentClientIsClosedAtTheDeadline() async throws {
        let harness = try Harness(handshakeTimeout: 0.2)
        let fd = try TCPSocket.connect(to: harness.address, timeout: 2)
        defer { close(fd) }
        let start = Date()
        #expect(Self.read(TokenHandshake.helloLength, from: fd).count == TokenHandshake.helloLength)
        #expect(Self.closedByPeer(fd))
        #expect(Date().timeIntervalSince(start) < 4)
        #expect(harness.accepted.count == 0)

        let pair = try TCPPair()
        defer { pair.close() }
        let service = ServiceSide(pair, token: harness.token, timeout: 0.2)
        #expect(try await service.error()?.description == "connection refused: no handshake within 0.2 s")
    }

    @Test func aSilentServiceIsLeftAtTheDeadline() throws {
        let pair = try TCPPair()
        defer { pair.close() }
        let error = #expect(throws: TransportError.self) { try TokenHandshake.introduce(fd: pair.client, token: .random(), timeout: 0.2) }
        #expect(error?.description == "connection refused: no handshake within 0.2 s")
    }

    @Test func garbageIsRefusedAtItsFirstBytesAndNoMoreIsRead() async throws {
        let harness = try Harness()
        let fd = try TCPSocket.connect(to: harness.address, timeout: 2)
        defer { close(fd) }
        Self.send([UInt8](repeating: 0x47, count: 100_000), to: fd)
        #expect(Self.read(TokenHandshake.helloLength, from: fd).count == TokenHandshake.helloLength)
        #expect(Self.closedByPeer(fd))
        #expect(harness.accepted.count == 0)

        // The service reads no more than the fixed answer: the rest is still in its socket.
        let pair = try TCPPair()
        defer { pair.close() }
        let garbage = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8) + [UInt8](repeating: 0, count: 60_000)
        Self.send(garbage, to: pair.client)
        let service = ServiceSide(pair, token: harness.token)
        let error = try await service.error()
        #expect(error?.description == "connection refused: the peer did not answer with a Ray TCP handshake")
        var rest = [UInt8](repeating: 0, count: garbage.count)
        let left = rest.withUnsafeMutableBytes { recv(pair.server, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_PEEK)) }
        #expect(left >= garbage.count - TokenHandshake.answerLength)

        // A client reads no more than the fixed hello, and refuses one that is not.
        let other = try TCPPair()
        defer { other.close() }
        Self.send(garbage, to: other.server)
        let clientError = #expect(throws: TransportError.self) { try TokenHandshake.introduce(fd: other.client, token: .random(), timeout: 2) }
        #expect(clientError?.description.contains("did not start a Ray TCP handshake") == true)
    }

    /// A service that sends a proper hello but does not know the token: the client refuses it
    /// and sends nothing after its own proof.
    @Test func aFakeServiceIsFoundOutAndGetsNoFrame() throws {
        let (listener, address) = try TCPSocket.listen(NetworkAddress(ipv4: 0x7F00_0001, port: 0))
        defer { close(listener) }
        let received = Mutex<[UInt8]?>(nil)
        FramedConnection.startThread(name: "fake service") {
            guard case let .success(fd) = TCPSocket.accept(listener) else { return }
            defer { close(fd) }
            Self.send(TokenHandshake.magic + SecureRandom.bytes(TokenHandshake.nonceCount), to: fd)
            let answer = Self.read(TokenHandshake.answerLength, from: fd)
            Self.send(SecureRandom.bytes(HMAC.byteCount), to: fd)
            // Everything else the client sends, until it closes.
            let rest = Self.read(1 << 16, from: fd)
            received.withLock { $0 = answer + rest }
        }
        let error = #expect(throws: TransportError.self) { _ = try FramedConnection.connect(to: address, token: .random(), timeout: 2) }
        #expect(error?.description.contains("wrong cluster token") == true)
        for _ in 0..<500 where received.withLock({ $0 == nil }) { usleep(10_000) }
        #expect(received.withLock { $0?.count } == TokenHandshake.answerLength)
    }

    /// What a client sends, handshake and first frame, as a recording service (that knows the
    /// token) sees it: neither the token nor its hex form.
    @Test func theTokenNeverCrossesTheWire() throws {
        let token = ClusterToken.random()
        let (listener, address) = try TCPSocket.listen(NetworkAddress(ipv4: 0x7F00_0001, port: 0))
        defer { close(listener) }
        let received = Mutex<[UInt8]?>(nil)
        FramedConnection.startThread(name: "recording service") {
            guard case let .success(fd) = TCPSocket.accept(listener) else { return }
            defer { close(fd) }
            let serverNonce = SecureRandom.bytes(TokenHandshake.nonceCount)
            Self.send(TokenHandshake.magic + serverNonce, to: fd)
            let answer = Self.read(TokenHandshake.answerLength, from: fd)
            let clientNonce = Array(answer[TokenHandshake.magic.count..<TokenHandshake.magic.count + TokenHandshake.nonceCount])
            Self.send(TokenHandshake.proof("server", token, clientNonce, serverNonce), to: fd)
            received.withLock { $0 = answer + Self.read(1 << 16, from: fd) }
        }
        let client = try FramedConnection.connect(to: address, token: token, timeout: 2)
        try client.send(.lookupActorName(request: 1, name: "an actor"))
        client.close()
        for _ in 0..<500 where received.withLock({ $0 == nil }) { usleep(10_000) }
        let bytes = try #require(received.withLock { $0 })
        #expect(bytes.count == TokenHandshake.answerLength + Message.lookupActorName(request: 1, name: "an actor").frame.count)
        for secret in [token.bytes, Array(token.hex.utf8), Array(token.hex.uppercased().utf8)] {
            #expect(!Self.contains(bytes, secret))
            // The search finds what is there.
            #expect(Self.contains(bytes + secret + [0], secret))
        }
    }

    @Test func descriptorsCannotBeSentOverTCP() async throws {
        let harness = try Harness()
        let client = try FramedConnection.connect(to: harness.address, token: harness.token, timeout: 2)
        defer { client.close() }
        let error = #expect(throws: TransportError.self) { try client.sendDescriptor(0) }
        #expect(error?.description == "descriptors can be sent only over a Unix socket, not over TCP")
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        return (0...haystack.count - needle.count).contains { haystack[$0..<$0 + needle.count].elementsEqual(needle) }
    }
}
