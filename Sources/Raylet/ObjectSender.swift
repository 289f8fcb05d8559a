import Dispatch
import Foundation
import RayCore
import RayObjectStore
import RayTransport

/// Streams objects from the store to another node's connection in `objectChunk` frames, one
/// object after another, on a queue of its own: a gigabyte going out must not hold up the thread
/// that handled the pull. The bytes go from shared memory to the socket without a copy; the
/// object stays pinned for the peer (which releases it when all has arrived).
final class ObjectSender: Sendable {
    /// Bytes per chunk: large enough that a frame's overhead vanishes, small enough that other
    /// frames on the connection wait little behind one.
    static let chunkSize = 8 << 20

    private let connection: FramedConnection
    private let arena: SharedMemoryArena
    private let queue: DispatchQueue

    init(connection: FramedConnection, arena: SharedMemoryArena, label: String) {
        self.connection = connection
        self.arena = arena
        queue = DispatchQueue(label: label)
    }

    func send(_ id: ObjectID, offset: Int, size: Int, contained: [ObjectID]) {
        queue.async { [connection, arena] in
            var sent = 0
            repeat {
                let count = min(Self.chunkSize, size - sent)
                let header = Message.objectChunkHeader(id: id, totalSize: size, offset: sent, contained: sent == 0 ? contained : [],
                                                       count: count)
                let body = UnsafeRawBufferPointer(arena.buffer(offset: offset + sent, count: count))
                do {
                    try connection.send(header: header, body: body)
                } catch {
                    return
                }
                sent += count
            } while sent < size
        }
    }
}
