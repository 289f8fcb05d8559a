import Glibc
import RayCore
import RayTransport

/// Both ends of one loopback TCP connection, before any handshake; `close()` closes both.
struct TCPPair {
    let client: Int32
    let server: Int32

    init() throws {
        let (listener, address) = try TCPSocket.listen(NetworkAddress(ipv4: 0x7F00_0001, port: 0))
        defer { Glibc.close(listener) }
        client = try TCPSocket.connect(to: address, timeout: 2)
        server = try TCPSocket.accept(listener).get()
    }

    func close() {
        Glibc.close(client)
        Glibc.close(server)
    }
}
