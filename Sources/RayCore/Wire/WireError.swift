/// A frame that does not parse: the connection that sent it is closed and the error logged.
public enum WireError: Error, CustomStringConvertible, Sendable, Equatable {
    case truncated(field: String, offset: Int, needed: Int, available: Int)
    case invalid(String)
    case unknownMessage(UInt8)
    case trailingBytes(Int)
    /// A count or size beyond what the protocol allows (`WireLimits`).
    case outOfRange(field: String, value: UInt64, limit: UInt64)

    public var description: String {
        switch self {
        case let .truncated(field, offset, needed, available):
            "truncated frame: \(field) at offset \(offset) needs \(needed) bytes, \(available) left"
        case let .invalid(what): "malformed frame: \(what)"
        case let .unknownMessage(tag): "unknown message type \(tag)"
        case let .trailingBytes(count): "malformed frame: \(count) unexpected bytes after the message"
        case let .outOfRange(field, value, limit): "malformed frame: \(field) \(value) exceeds the limit of \(limit)"
        }
    }
}
