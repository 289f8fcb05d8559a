import Foundation
import Glibc
import RayCore
@testable import RayTransport
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1))) struct FramedConnectionTests {
    /// Two connected sockets, each end a connection.
    private static func pair(busyPoll: BusyPoll = .process) -> (FramedConnection, FramedConnection) {
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        return (FramedConnection(fd: fds[0], busyPoll: busyPoll), FramedConnection(fd: fds[1], busyPoll: busyPoll))
    }

    /// The batches a reader thread received.
    private final class Inbox: Sendable {
        let batches = Mutex<[[Message]]>([])
        var messages: [Message] { batches.withLock { Array($0.joined()) } }
    }

    private static func collect(_ connection: FramedConnection, onBatch: @escaping @Sendable ([Message]) -> Void = { _ in }) -> Inbox {
        let inbox = Inbox()
        FramedConnection.startThread(name: "test reader") {
            connection.readLoop(onMessages: { messages in
                inbox.batches.withLock { $0.append(messages) }
                onBatch(messages)
            }, onClose: { _ in })
        }
        return inbox
    }

    @Test(arguments: [UInt64(0), 250])
    func framesWrittenTogetherArriveInBatchesInOrder(pollMicroseconds: UInt64) async throws {
        let (a, b) = Self.pair(busyPoll: BusyPoll(microseconds: pollMicroseconds))
        defer { a.close(); b.close() }
        let messages = (0..<50).map { Message.releaseObjects([ObjectID(task: TaskID(high: 1, low: UInt64($0)), index: 1)]) }
        let inbox = Self.collect(b)
        try a.send(messages)
        try await waitUntil { inbox.messages.count == messages.count }
        #expect(inbox.messages == messages)
        #expect(inbox.batches.withLock { $0.count } < messages.count)
    }

    @Test func whatTheReaderSendsDuringABatchGoesOutAfterIt() async throws {
        let (a, b) = Self.pair()
        defer { a.close(); b.close() }
        // b echoes every message back; the echoes of one batch leave in one write, in order.
        _ = Self.collect(b) { messages in
            for message in messages { try? b.send(message) }
        }
        let echoes = Self.collect(a)
        let messages = (0..<20).map { Message.killActor(TaskID(high: 2, low: UInt64($0))) }
        try a.send(messages)
        try await waitUntil { echoes.messages.count == messages.count }
        #expect(echoes.messages == messages)
    }

    @Test func aPeerThatGoesAwayEndsTheLoop() async throws {
        let (a, b) = Self.pair()
        let closed = Atomic<Bool>(false)
        FramedConnection.startThread(name: "test reader") {
            b.readLoop(onMessages: { _ in }, onClose: { _ in closed.store(true, ordering: .releasing) })
        }
        a.close()
        try await waitUntil { closed.load(ordering: .acquiring) }
    }

    /// Found by Fuzz/FrameFuzz.swift: the reader reserved room for a whole frame as soon as it
    /// read the length prefix, so four bytes claiming 512 MiB made it allocate 512 MiB. Room now
    /// grows with the bytes that arrive.
    @Test func aLengthPrefixAloneDoesNotMakeTheReaderAllocate() throws {
        let (a, b) = Self.pair(busyPoll: BusyPoll(microseconds: 0))
        defer { a.close(); b.close() }
        var header = WireWriter()
        header.u32(512 << 20)
        try a.send(frame: header.bytes + [UInt8](repeating: 7, count: 1000))
        shutdown(a.fd, Int32(SHUT_WR))
        #expect(throws: TransportError.self) { _ = try b.receive() }
        #expect(b.bufferCapacity <= 1 << 20)
    }

    /// Frames larger than the initial buffer still arrive whole, in pieces of any size.
    @Test func largeFramesArriveWholeWhateverThePieces() async throws {
        let (a, b) = Self.pair(busyPoll: BusyPoll(microseconds: 0))
        defer { a.close(); b.close() }
        let big = Message.putObject(id: ObjectID(task: TaskID(high: 3, low: 4), index: 1),
                                    payload: (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }, contained: [])
        let small = Message.killActor(TaskID(high: 5, low: 6))
        let stream = small.frame + big.frame + small.frame + big.frame
        let inbox = Self.collect(b)
        var offset = 0
        for piece in [3, 70_000, 1, 1_000_000, 5, 2_500_000, 4, 3_000_000] where offset < stream.count {
            let end = min(stream.count, offset + piece)
            try a.send(frame: Array(stream[offset..<end]))
            offset = end
        }
        try a.send(frame: Array(stream[offset...]))
        try await waitUntil { inbox.messages.count == 4 }
        #expect(inbox.messages == [small, big, small, big])
    }

    /// An 8 MiB body sent from raw memory behind a header arrives as one ordinary frame, byte for
    /// byte, over TCP (many partial writes: the body is larger than the socket's buffers), and
    /// frames around it keep their order.
    @Test func aHeaderAndABodyFromMemoryArriveAsOneFrame() async throws {
        let pair = try TCPPair()
        let (a, b) = (FramedConnection(fd: pair.client), FramedConnection(fd: pair.server))
        defer { a.close(); b.close() }
        // The body is the last field of a `lookupActorName`: its u32 length is the header's end.
        let body = UnsafeMutableRawBufferPointer.allocate(byteCount: 8 << 20, alignment: 64)
        defer { body.deallocate() }
        for i in 0..<body.count { body[i] = UInt8(ascii: "a") + UInt8(i % 26) }
        var header = WireWriter()
        header.u8(MessageTag.lookupActorName.rawValue)
        header.u64(7)
        header.u32(UInt32(body.count))
        let before = Message.killActor(TaskID(high: 1, low: 1)), after = Message.killActor(TaskID(high: 1, low: 2))
        let sent = Atomic<Bool>(false)
        // The buffer outlives the sender: the test waits for it before deallocating.
        nonisolated(unsafe) let source = UnsafeRawBufferPointer(body)
        FramedConnection.startThread(name: "test sender") { [header] in
            try? a.send(before)
            try? a.send(header: header.bytes, body: source)
            try? a.send(after)
            sent.store(true, ordering: .releasing)
        }
        #expect(try b.receive() == before)
        guard case let .lookupActorName(request, name) = try b.receive() else {
            Issue.record("the frame did not decode as the message its header starts")
            return
        }
        #expect(request == 7)
        #expect(name.utf8.elementsEqual(UnsafeRawBufferPointer(body)))
        #expect(try b.receive() == after)
        try await waitUntil { sent.load(ordering: .acquiring) }
    }

    @Test func aBodyBeyondTheFrameLimitIsRefusedBeforeAnyByteIsSent() throws {
        let (a, b) = Self.pair()
        defer { a.close(); b.close() }
        let huge = UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: 0x1000), count: FramedConnection.maxFrameSize)
        #expect(throws: TransportError.self) { try a.send(header: [1, 2], body: huge) }
        try a.send(.shutdown)
        #expect(try b.receive() == .shutdown)
    }

    /// A service's connections together grow their receive buffers only as far as its budget.
    @Test func connectionsOfAServiceShareOneReceiveBudget() async throws {
        let budget = ReceiveBudget(bytes: 300 << 10)
        var fds: [Int32] = [0, 0, 0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds[0]) == 0)
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds[2]) == 0)
        let (a, b) = (FramedConnection(fd: fds[0]), FramedConnection(fd: fds[1], receiveBudget: budget))
        let (c, d) = (FramedConnection(fd: fds[2]), FramedConnection(fd: fds[3], receiveBudget: budget))
        defer { for connection in [a, b, c, d] { connection.close() } }
        let big = Message.putObject(id: ObjectID(task: TaskID(high: 1, low: 1), index: 1), payload: [UInt8](repeating: 1, count: 200 << 10),
                                    contained: [])
        try a.send(big)
        #expect(try b.receive() == big)
        #expect(budget.available < 300 << 10)
        // The second connection's frame does not fit in what is left: that connection fails.
        try c.send(big)
        #expect(throws: TransportError.self) { try d.receive() }
    }

    /// Chunks read in place, in order with the messages around them, and their payload as sent
    /// (three 3 MiB chunks written straight from memory, between small messages).
    @Test func interceptedFramesArriveInPlaceAndInOrder() throws {
        let (sender, receiver) = Self.pair()
        defer { sender.close(); receiver.close() }
        let id = ObjectID(task: TaskID(high: 1, low: 2), index: 1)
        let chunk = 3 << 20
        let payload = (0..<(3 * chunk)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let events = Mutex<[String]>([])
        let received = Mutex<[UInt8]>([])
        let done = Mutex(false)
        FramedConnection.startThread(name: "test reader") {
            receiver.readLoop(intercepting: .objectChunk, onRawFrame: { body throws(TransportError) in
                do throws(WireError) {
                    let view = try ObjectChunkView(body: body)
                    events.withLock { $0.append("chunk \(view.offset)") }
                    received.withLock { $0 += Array(view.bytes) }
                } catch {
                    throw .malformed(error)
                }
            }, onMessages: { messages in
                events.withLock { $0 += messages.map { "\($0.tag)" } }
                if messages.contains(.shutdown) { done.withLock { $0 = true } }
            }, onClose: { _ in })
        }
        FramedConnection.startThread(name: "test writer") {
            try? sender.send([.pullObject(id), .pullObject(id)])
            for index in 0..<3 {
                let header = Message.objectChunkHeader(id: id, totalSize: payload.count, offset: index * chunk, contained: [], count: chunk)
                payload.withUnsafeBytes { try? sender.send(header: header, body: UnsafeRawBufferPointer(rebasing: $0[index * chunk..<(index + 1) * chunk])) }
                try? sender.send(.taskRejected(TaskID(high: 0, low: UInt64(index))))
            }
            try? sender.send(.shutdown)
        }
        let deadline = Date().addingTimeInterval(20)
        while !done.withLock({ $0 }) && Date() < deadline { usleep(1000) }
        #expect(events.withLock { $0 } == ["pullObject", "pullObject", "chunk 0", "taskRejected", "chunk 3145728", "taskRejected",
                                          "chunk 6291456", "taskRejected", "shutdown"])
        #expect(received.withLock { $0 } == payload)
    }
}
