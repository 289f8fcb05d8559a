import Foundation
import Glibc

/// Accepts connections on a Unix socket on its own thread and hands each one over.
public final class Listener: @unchecked Sendable {
    public let path: String
    private let fd: Int32

    public init(path: String) throws(TransportError) {
        self.path = path
        fd = try UnixSocket.listen(path: path)
    }

    public func start(onConnection: @escaping @Sendable (FramedConnection) -> Void) {
        let thread = Thread { [fd] in
            while let client = UnixSocket.accept(fd) {
                onConnection(FramedConnection(fd: client))
            }
        }
        thread.name = "accept \(path)"
        thread.start()
    }

    /// Stops accepting and removes the socket file.
    public func close() {
        shutdown(fd, Int32(SHUT_RDWR))
        Glibc.close(fd)
        unlink(path)
    }
}
