import Foundation
import Glibc

struct TCPProbeError: Error, CustomStringConvertible {
    let description: String
    init(_ call: String) { description = "\(call): \(String(cString: strerror(errno)))" }
}

/// Listens on `port` of every address; says "listening" once it does, then answers each
/// connection with "served by <the address the client reached>" and closes it. Runs until killed.
func serveTCP(port: UInt16) throws -> Never {
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard listener >= 0 else { throw TCPProbeError("socket") }
    var on: Int32 = 1
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = INADDR_ANY
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw TCPProbeError("bind") }
    guard listen(listener, 16) == 0 else { throw TCPProbeError("listen") }
    report("listening")
    while true {
        let connection = accept(listener, nil, nil)
        guard connection >= 0 else { continue }
        var local = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(connection, $0, &length) }
        }
        let reply = Array("served by \(String(cString: inet_ntoa(local.sin_addr)))\n".utf8)
        _ = reply.withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
        close(connection)
    }
}

/// Connects to `host:port` (an IPv4 address), gives up after 5 seconds, and prints what the server says.
func probeTCP(host: String, port: UInt16) throws {
    let connection = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard connection >= 0 else { throw TCPProbeError("socket") }
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw TCPProbeError("inet_pton \(host)") }
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(connection, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw TCPProbeError("connect \(host):\(port)") }
    var reply: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 256)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(connection, $0.baseAddress, $0.count) }
        guard count > 0 else { break }
        reply += buffer[0..<count]
    }
    close(connection)
    print(String(decoding: reply, as: UTF8.self), terminator: "")
}
