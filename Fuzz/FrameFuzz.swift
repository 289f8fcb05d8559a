import Glibc
import RayCore
import RayTransport

// libFuzzer target: the frame reader of `FramedConnection` (length prefixes, buffer growth and
// compaction) over a real socket pair.
//
// Input: one byte that sets how the rest is written (in pieces of 1, 2, 4, ... 65,536 bytes),
// then the byte stream. Each piece is written to one end; `receive()` is called on the other,
// which is non-blocking, until it runs out of bytes (EAGAIN); then the next piece. At the end
// the writer shuts down and the reader must report the close. What it receives must be exactly
// what a plain parse of the stream gives, up to the first bad frame, which must end it the same
// way.

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    FuzzSeeds.writeSeedsIfAsked {
        let frames = FuzzSeeds.messages.map(\.frame)
        // Each frame alone, and all of them in one stream written in pieces of several sizes.
        return frames.map { [16] + $0 } + [0, 3, 6, 10, 16].map { [UInt8($0)] + frames.joined() }
    }
    return 0
}

/// How a stream of frames ends, as both the reader and the plain parse see it.
enum StreamEnd: Equatable {
    case closed
    case frameTooLarge(Int)
    case malformed(WireError)
}

/// The messages in `stream` up to the first frame that is incomplete, too large or malformed.
func plainParse(_ stream: UnsafeRawBufferPointer) -> (messages: [Message], end: StreamEnd) {
    var messages = [Message]()
    var offset = 0
    while stream.count - offset >= 4 {
        let length = Int(UInt32(littleEndian: stream.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        guard length <= FramedConnection.maxFrameSize else { return (messages, .frameTooLarge(length)) }
        guard stream.count - offset - 4 >= length else { break }
        do {
            messages.append(try Message.read(UnsafeRawBufferPointer(rebasing: stream[offset + 4..<offset + 4 + length])))
        } catch {
            return (messages, .malformed(error))
        }
        offset += 4 + length
    }
    return (messages, .closed)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrames(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let pieceSize = 1 << Int(data[0] % 17)
    let stream = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    let expected = plainParse(stream)

    var fds: [Int32] = [0, 0]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else { fatalError("socketpair: \(errno)") }
    let writer = fds[0]
    defer { close(writer) }
    // Room for a whole input in the socket, so a write never waits for the reader.
    var bufferSize: CInt = 1 << 20
    setsockopt(writer, SOL_SOCKET, SO_SNDBUF, &bufferSize, socklen_t(MemoryLayout<CInt>.size))
    _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
    let reader = FramedConnection(fd: fds[1], busyPoll: BusyPoll(microseconds: 0))
    defer { reader.close() }

    var received = [Message]()
    var end: StreamEnd?
    /// Receives until the reader needs more bytes; sets `end` when the stream is over.
    func drain() {
        while end == nil {
            do {
                received.append(try reader.receive())
            } catch {
                switch error {
                case .system(_, EAGAIN): return
                case .closed: end = .closed
                case let .frameTooLarge(length): end = .frameTooLarge(length)
                case let .malformed(wireError): end = .malformed(wireError)
                default: fatalError("unexpected reader error \(error)")
                }
            }
        }
    }

    var offset = 0
    while offset < stream.count && end == nil {
        let count = min(pieceSize, stream.count - offset)
        var written = 0
        while written < count {
            let n = send(writer, stream.baseAddress! + offset + written, count - written, Int32(MSG_NOSIGNAL))
            guard n > 0 else { fatalError("send: \(errno)") }
            written += n
        }
        offset += count
        drain()
    }
    shutdown(writer, Int32(SHUT_WR))
    drain()

    precondition(received == expected.messages,
                 "received \(received.count) messages, the stream holds \(expected.messages.count) before its end")
    precondition(end == expected.end, "the reader ended with \(String(describing: end)), the stream with \(expected.end)")
    return 0
}
