/// Where a service of a multi-node cluster listens: an IPv4 address and a TCP port, written
/// `10.0.0.1:6379`. It lives here, with the wire types, so messages can carry it; the sockets
/// that use it are in RayTransport.
public struct NetworkAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address's four bytes, the first in the high byte (`10.0.0.1` is `0x0A000001`).
    public let ipv4: UInt32
    public let port: UInt16

    public init(ipv4: UInt32, port: UInt16) {
        self.ipv4 = ipv4
        self.port = port
    }

    /// Parses `a.b.c.d:port`: four decimal numbers 0-255 without leading zeros (which some
    /// parsers read as octal) and a port 0-65535.
    public init(parsing text: String) throws(NetworkAddressError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let ipv4 = Self.ipv4(parts[0]), let port = Self.decimal(parts[1], max: 65535) else {
            throw NetworkAddressError(text: text)
        }
        self.init(ipv4: ipv4, port: UInt16(port))
    }

    /// `host` is an IPv4 address in dotted form.
    public init(host: String, port: UInt16) throws(NetworkAddressError) {
        guard let ipv4 = Self.ipv4(Substring(host)) else { throw NetworkAddressError(text: "\(host):\(port)") }
        self.init(ipv4: ipv4, port: port)
    }

    /// The same host on another port (a service that asked for port 0 learns its real one).
    public func with(port: UInt16) -> NetworkAddress { NetworkAddress(ipv4: ipv4, port: port) }

    /// The dotted form, `10.0.0.1`.
    public var host: String { (0..<4).map { String(ipv4 >> (24 - 8 * $0) & 0xFF) }.joined(separator: ".") }

    public var description: String { "\(host):\(port)" }

    private static func ipv4(_ text: Substring) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard let byte = decimal(octet, max: 255) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }

    /// A decimal number of at most `max`, digits only, no leading zero.
    private static func decimal(_ text: Substring, max: Int) -> Int? {
        guard !text.isEmpty, text.count <= 5, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              text == "0" || !text.hasPrefix("0"), let value = Int(text), value <= max else { return nil }
        return value
    }
}

/// Text that is not an address `a.b.c.d:port`.
public struct NetworkAddressError: Error, CustomStringConvertible, Sendable, Equatable {
    public let text: String

    public var description: String {
        "not a network address: \"\(text)\" (expected an IPv4 address and a port 0-65535, such as 10.0.0.1:6379)"
    }
}
