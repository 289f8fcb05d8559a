import CRaySupport
import Foundation
import Glibc
import RayCore
import Synchronization

/// One socket carrying length-prefixed `Message` frames. Writes from any thread are serialised by a
/// lock; reads happen either blocking on the caller's thread (handshakes) or on a dedicated reader
/// thread, which on this VM answers about 25 µs sooner than an event-loop hop would.
public final class FramedConnection: @unchecked Sendable {
    /// Larger frames are refused: a corrupt length must not make us allocate gigabytes.
    public static let maxFrameSize = 1 << 30

    public let fd: Int32
    private let writeLock = Mutex(())
    private let closed = Atomic<Bool>(false)
    /// Received bytes not yet parsed are `buffer[start..<end]`; only the reader thread touches them.
    private var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: initialBufferSize, alignment: 8)
    static let initialBufferSize = 64 * 1024
    /// After a frame this large, an emptied buffer shrinks back to `initialBufferSize`.
    private static let shrinkThreshold = 1 << 20
    /// Where a service's connections draw the room their buffers need beyond the initial size.
    private let receiveBudget: ReceiveBudget?
    private var start = 0
    private var end = 0
    private let busyPoll: BusyPoll
    /// Nanoseconds the reader last slept in `recv`; it polls first only after short sleeps.
    private var lastSleep: UInt64 = 0
    /// The thread running `readLoop`; while it handles a batch (`corked`), its sends on this
    /// connection collect in `outbox`. Only that thread touches `corked` and `outbox`.
    private let readerThread = Atomic<UInt>(0)
    private var corked = false
    private var outbox: [UInt8] = []

    /// - Parameter receiveBudget: the budget of the service this connection belongs to, if any.
    public init(fd: Int32, busyPoll: BusyPoll = .process, receiveBudget: ReceiveBudget? = nil) {
        self.fd = fd
        self.busyPoll = busyPoll
        self.receiveBudget = receiveBudget
    }

    /// Connects to a service of the session and authenticates (see `Handshake`).
    public static func connect(path: String, secret: SessionSecret) throws(TransportError) -> FramedConnection {
        FramedConnection(fd: try UnixSocket.connect(path: path, secret: secret))
    }

    /// Connects to a service of the cluster over TCP and proves the cluster's token, checking the
    /// service's proof too (see `TokenHandshake`); each step gets `timeout` seconds.
    public static func connect(to address: NetworkAddress, token: ClusterToken,
                               timeout: Double = Handshake.defaultTimeout) throws(TransportError) -> FramedConnection {
        let fd = try TCPSocket.connect(to: address, timeout: timeout)
        do throws(TransportError) {
            try TokenHandshake.introduce(fd: fd, token: token, timeout: timeout)
        } catch {
            Glibc.close(fd)
            throw error
        }
        return FramedConnection(fd: fd)
    }

    deinit {
        close()
        receiveBudget?.giveBack(buffer.count - Self.initialBufferSize)
        buffer.deallocate()
    }

    public var isClosed: Bool { closed.load(ordering: .acquiring) }

    /// Shuts the socket both ways; the reader thread then sees end-of-file and stops.
    public func close() {
        if closed.exchange(true, ordering: .acquiringAndReleasing) == false {
            shutdown(fd, Int32(SHUT_RDWR))
            Glibc.close(fd)
        }
    }

    public func send(_ message: Message) throws(TransportError) {
        try send(frame: message.frame)
    }

    /// Writes several messages with one system call.
    public func send(_ messages: [Message]) throws(TransportError) {
        var bytes = [UInt8]()
        for message in messages { bytes.append(contentsOf: message.frame) }
        try send(frame: bytes)
    }

    public func send(frame: [UInt8]) throws(TransportError) {
        if corked && isReaderThread {
            outbox.append(contentsOf: frame)
            return
        }
        try write(frame)
    }

    /// Whether the calling thread is the one running this connection's `readLoop`.
    public var isReaderThread: Bool {
        pthread_equal(pthread_t(readerThread.load(ordering: .acquiring)), pthread_self()) != 0
    }

    private func flushOutbox() throws(TransportError) {
        guard !outbox.isEmpty else { return }
        defer { outbox.removeAll(keepingCapacity: outbox.count <= 1 << 20) }
        try write(outbox)
    }

    private func write(_ frame: [UInt8]) throws(TransportError) {
        let result: TransportError? = writeLock.withLock { _ in
            frame.withUnsafeBytes { Self.sendAll(fd, $0, UnsafeRawBufferPointer(start: nil, count: 0)) }
        }
        if let result { throw result }
    }

    /// Writes one frame whose last bytes come straight from memory: `u32 length` (of header and
    /// body), `header`, `body`, in one `sendmsg` of two pieces, so a large body (an object chunk in
    /// shared memory) reaches the socket without first being copied into an array. The receiver
    /// reads an ordinary frame: `header` is the start of its body, the message tag and the fields
    /// before the raw bytes.
    public func send(header: [UInt8], body: UnsafeRawBufferPointer) throws(TransportError) {
        let length = header.count + body.count
        guard length <= Self.maxFrameSize else { throw .frameTooLarge(length) }
        var prefix = [UInt8]()
        prefix.reserveCapacity(4 + header.count)
        withUnsafeBytes(of: UInt32(length).littleEndian) { prefix.append(contentsOf: $0) }
        prefix += header
        // Frames gathered during a batch were sent before this one.
        if corked && isReaderThread { try flushOutbox() }
        let result: TransportError? = writeLock.withLock { _ in
            prefix.withUnsafeBytes { prefix in Self.sendAll(fd, prefix, body) }
        }
        if let result { throw result }
    }

    /// Writes `first` then `second` with `sendmsg`, as many times as the socket needs.
    private static func sendAll(_ fd: Int32, _ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) -> TransportError? {
        // On the stack: this runs for every frame sent.
        withUnsafeTemporaryAllocation(of: iovec.self, capacity: 2) { pieces in
            let total = first.count + second.count
            var sent = 0
            while sent < total {
                var count = 0
                if sent < first.count {
                    pieces[count] = iovec(iov_base: UnsafeMutableRawPointer(mutating: first.baseAddress! + sent), iov_len: first.count - sent)
                    count += 1
                }
                let intoSecond = max(0, sent - first.count)
                if intoSecond < second.count {
                    pieces[count] = iovec(iov_base: UnsafeMutableRawPointer(mutating: second.baseAddress! + intoSecond),
                                          iov_len: second.count - intoSecond)
                    count += 1
                }
                var message = msghdr()
                message.msg_iov = pieces.baseAddress
                message.msg_iovlen = count
                let n = sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
                if n > 0 {
                    sent += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return n == 0 || errno == EPIPE || errno == ECONNRESET ? .closed : .system("sendmsg", errno)
                }
            }
            return nil
        }
    }

    /// Sends a descriptor (`SCM_RIGHTS`); only a Unix socket can. Over TCP the kernel would
    /// drop it and send its one-byte carrier as if it were frame bytes, so that is refused.
    public func sendDescriptor(_ descriptor: Int32) throws(TransportError) {
        var domain: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &length) == 0 else { throw .system("getsockopt(SO_DOMAIN)", errno) }
        guard domain == AF_UNIX else { throw .descriptorPassingNeedsUnixSocket }
        let rc = writeLock.withLock { _ in cray_send_fd(fd, descriptor) }
        guard rc == 0 else { throw .system("sendmsg(SCM_RIGHTS)", errno) }
    }

    /// Receives a descriptor; must be called before any frame after it is read.
    public func receiveDescriptor() throws(TransportError) -> Int32 {
        let received = cray_recv_fd(fd)
        guard received >= 0 else { throw errno == 0 ? .closed : .system("recvmsg(SCM_RIGHTS)", errno) }
        return received
    }

    /// Blocks until one whole message arrives. Only one thread may read.
    public func receive() throws(TransportError) -> Message {
        while true {
            if let message = try nextBufferedMessage() { return message }
            try fill()
        }
    }

    /// Starts a thread that runs `readLoop`.
    public func startReading(name: String,
                             onMessage: @escaping @Sendable (Message) -> Void,
                             onClose: @escaping @Sendable (TransportError) -> Void) {
        Self.startThread(name: name) { [self] in readLoop(onMessage: onMessage, onClose: onClose) }
    }

    /// Delivers every incoming message to `onMessage`, in order, on the calling thread, and calls
    /// `onClose` once when the peer goes away or sends a frame that does not parse.
    public func readLoop(onMessage: (Message) -> Void, onClose: (TransportError) -> Void) {
        readLoop(onMessages: { messages in for message in messages { onMessage(message) } }, onClose: onClose)
    }

    /// Delivers incoming messages in order, each call with all those that arrived together (at
    /// most `maxBatch`), so the receiver can take its lock once for many. While a batch is being
    /// handled, what this thread sends on this connection is gathered and written at the end of
    /// the batch in one system call.
    ///
    /// Frames whose type is `intercepted` are not decoded: `onRawFrame` gets each one's body in
    /// place (valid during the call), in order with the messages around it (a batch ends before
    /// such a frame). A large payload is then copied once, where it goes.
    public func readLoop(maxBatch: Int = 256, intercepting intercepted: MessageTag? = nil,
                         onRawFrame: (UnsafeRawBufferPointer) throws(TransportError) -> Void = { _ in },
                         onMessages: ([Message]) -> Void, onClose: (TransportError) -> Void) {
        readerThread.store(UInt(pthread_self()), ordering: .releasing)
        cray_mark_reader_thread()
        var batch = [Message]()
        while true {
            do throws(TransportError) {
                if let intercepted, let body = try nextFrame(ifTagged: intercepted) {
                    try onRawFrame(body)
                    continue
                }
                batch.append(try receive())
                while batch.count < maxBatch, intercepted == nil || !nextFrameIsComplete(tagged: intercepted!),
                      let next = try nextBufferedMessage() {
                    batch.append(next)
                }
                corked = true
                onMessages(batch)
                corked = false
                batch.removeAll(keepingCapacity: true)
                try flushOutbox()
            } catch {
                close()
                onClose(error)
                return
            }
        }
    }

    /// The stack of each connection's thread. Workers run tasks (user code, and the decoding of
    /// values nested up to `ValueEncoder.defaultMaxDepth` deep) on these threads, so they get
    /// the size of a main thread's stack; it is address space, touched only as far as it is used.
    public static let threadStackSize = 8 << 20

    /// Runs `body` on a new thread with the stack of a main thread (see `threadStackSize`).
    public static func startThread(name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        thread.stackSize = threadStackSize
        thread.start()
    }

    /// The bytes the receive buffer holds now (for tests).
    var bufferCapacity: Int { buffer.count }

    /// The next frame's body, consumed, if it is whole and of type `tag`; reads more first when
    /// not even its type has arrived.
    private func nextFrame(ifTagged tag: MessageTag) throws(TransportError) -> UnsafeRawBufferPointer? {
        while end - start < 5 { try fill() }
        guard buffer[start + 4] == tag.rawValue else { return nil }
        let length = Int(UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: start, as: UInt32.self)))
        guard length <= Self.maxFrameSize else { throw .frameTooLarge(length) }
        while end - start < 4 + length {
            try reserve(min(4 + length, max(2 * (end - start), Self.initialBufferSize)))
            try fill()
        }
        let body = UnsafeRawBufferPointer(rebasing: buffer[start + 4..<start + 4 + length])
        start += 4 + length
        return body
    }

    /// Whether a whole frame of type `tag` is next in the buffer.
    private func nextFrameIsComplete(tagged tag: MessageTag) -> Bool {
        end - start >= 5 && buffer[start + 4] == tag.rawValue
    }

    private func nextBufferedMessage() throws(TransportError) -> Message? {
        let available = end - start
        guard available >= 4 else { return nil }
        let length = Int(UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: start, as: UInt32.self)))
        guard length <= Self.maxFrameSize else { throw .frameTooLarge(length) }
        guard available >= 4 + length else {
            // Room grows (doubling) as the frame's bytes arrive: a length prefix alone must not
            // make us allocate up to a gigabyte.
            try reserve(min(4 + length, max(2 * available, Self.initialBufferSize)))
            return nil
        }
        let body = UnsafeRawBufferPointer(rebasing: buffer[start + 4..<start + 4 + length])
        start += 4 + length
        do throws(WireError) {
            return try Message.read(body)
        } catch {
            throw .malformed(error)
        }
    }

    /// Makes room for `count` bytes from `start`, moving unparsed bytes to the front. Growth
    /// comes out of the service's receive budget; when that is spent, the connection fails.
    private func reserve(_ count: Int) throws(TransportError) {
        if count > buffer.count {
            let size = max(count, buffer.count * 2)
            if let receiveBudget, !receiveBudget.take(size - buffer.count) {
                throw .receiveBudgetExhausted(frame: count, available: receiveBudget.available)
            }
            replaceBuffer(size: size)
        } else if start + count > buffer.count {
            compact()
        }
    }

    /// Moves the unparsed bytes into a new buffer of `size` bytes.
    private func replaceBuffer(size: Int) {
        let replacement = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 8)
        replacement.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
        buffer.deallocate()
        buffer = replacement
        end -= start
        start = 0
    }

    private func compact() {
        guard start > 0 else { return }
        let count = end - start
        if count > 0 { buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: count) }
        start = 0
        end = count
    }

    /// One read that does not wait; true when bytes arrived.
    private func receiveWithoutWaiting() throws(TransportError) -> Bool {
        while true {
            let n = recv(fd, buffer.baseAddress! + end, buffer.count - end, Int32(MSG_DONTWAIT))
            if n > 0 {
                end += n
                return true
            }
            if n == 0 { throw .closed }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return false }
            throw errno == ECONNRESET || errno == EBADF ? .closed : .system("recv", errno)
        }
    }

    /// Reads without sleeping for up to the busy-poll budget; true when bytes arrived.
    private func poll() throws(TransportError) -> Bool {
        guard busyPoll.worthPolling(afterSleeping: lastSleep) else { return false }
        let deadline = BusyPoll.now() + busyPoll.budget
        repeat {
            if try receiveWithoutWaiting() { return true }
            sched_yield()
        } while BusyPoll.now() < deadline
        return false
    }

    private func fill() throws(TransportError) {
        // A reply this thread waits for may depend on a request still in the outbox.
        try flushOutbox()
        if start == end {
            start = 0
            end = 0
        } else if end == buffer.count {
            compact()
        }
        if try poll() { return }
        // A large frame was read and nothing more is here: its room goes back (to the service's
        // budget too) before the thread sleeps. Not sooner: a stream of large frames (an object
        // arriving in chunks) would otherwise allocate and fault in fresh pages for each.
        if start == end && buffer.count >= Self.shrinkThreshold {
            if try receiveWithoutWaiting() { return }
            receiveBudget?.giveBack(buffer.count - Self.initialBufferSize)
            replaceBuffer(size: Self.initialBufferSize)
        }
        let sleepStart = BusyPoll.now()
        while true {
            let n = recv(fd, buffer.baseAddress! + end, buffer.count - end, 0)
            if n > 0 {
                end += n
                lastSleep = BusyPoll.now() - sleepStart
                return
            }
            if n == 0 { throw .closed }
            if errno == EINTR { continue }
            throw errno == ECONNRESET || errno == EBADF ? .closed : .system("recv", errno)
        }
    }
}
