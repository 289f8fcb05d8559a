/// Where a sealed object's bytes are: in the node's shared-memory arena, or carried in the
/// message itself (`payload`) when the node keeps the object outside the arena, which it does
/// only for a small error object that a full store had no room for.
public struct ObjectLocation: Sendable, Equatable {
    public var id: ObjectID
    public var offset: Int
    public var size: Int
    public var payload: [UInt8]?

    public init(id: ObjectID, offset: Int, size: Int, payload: [UInt8]? = nil) {
        self.id = id
        self.offset = offset
        self.size = size
        self.payload = payload
    }

    /// The fewest bytes a location takes on the wire: the ID, the offset, the size and the byte
    /// that says whether the bytes themselves follow.
    public static let wireBytes = ObjectID.byteCount + 17

    public func write(to w: inout WireWriter) {
        w.objectID(id)
        w.u64(UInt64(offset))
        w.u64(UInt64(size))
        w.optional(payload) { w, bytes in w.blob(bytes) }
    }

    public static func read(from r: inout WireReader) throws(WireError) -> ObjectLocation {
        ObjectLocation(id: try r.objectID(), offset: try r.arenaBytes("object offset"), size: try r.arenaBytes("object size"),
                       payload: try r.optional { r throws(WireError) in try r.blob() })
    }
}
