/// One argument of a task: an encoded value carried in the task message, or a reference to an
/// object the task waits for and receives as a value.
public enum TaskArgument: Sendable, Equatable {
    case value([UInt8])
    case reference(ObjectID)

    /// Bytes on the wire of the smallest argument: a tag and an empty value.
    public static let minimumWireBytes = 1 + 4

    public func write(to w: inout WireWriter) {
        switch self {
        case let .value(bytes):
            w.u8(0)
            w.blob(bytes)
        case let .reference(id):
            w.u8(1)
            w.objectID(id)
        }
    }

    public static func read(from r: inout WireReader) throws(WireError) -> TaskArgument {
        switch try r.u8() {
        case 0: return .value(try r.blob())
        case 1: return .reference(try r.objectID())
        case let tag: throw WireError.invalid("task argument tag \(tag)")
        }
    }
}
