/// One return value of a finished task: small ones travel in the message, large ones the worker
/// already wrote and sealed in the store.
public enum ReturnValue: Sendable, Equatable {
    case inline(id: ObjectID, payload: [UInt8], contained: [ObjectID])
    case stored(id: ObjectID)

    public var id: ObjectID {
        switch self {
        case let .inline(id, _, _), let .stored(id): id
        }
    }

    /// Bytes on the wire of the smallest return value: a tag and an ID (`stored`).
    public static let minimumWireBytes = 1 + ObjectID.byteCount

    public func write(to w: inout WireWriter) {
        switch self {
        case let .inline(id, payload, contained):
            w.u8(0)
            w.objectID(id)
            w.blob(payload)
            w.objectIDs(contained)
        case let .stored(id):
            w.u8(1)
            w.objectID(id)
        }
    }

    public static func read(from r: inout WireReader) throws(WireError) -> ReturnValue {
        switch try r.u8() {
        case 0: return .inline(id: try r.objectID(), payload: try r.blob(), contained: try r.objectIDs())
        case 1: return .stored(id: try r.objectID())
        case let tag: throw WireError.invalid("return value tag \(tag)")
        }
    }
}
