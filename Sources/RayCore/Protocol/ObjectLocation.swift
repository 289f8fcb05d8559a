/// Where a sealed object lies in the node's shared-memory arena.
public struct ObjectLocation: Sendable, Equatable {
    public var id: ObjectID
    public var offset: Int
    public var size: Int

    public init(id: ObjectID, offset: Int, size: Int) {
        self.id = id
        self.offset = offset
        self.size = size
    }

    /// Bytes on the wire: the ID, the offset and the size.
    public static let wireBytes = ObjectID.byteCount + 16

    public func write(to w: inout WireWriter) {
        w.objectID(id)
        w.u64(UInt64(offset))
        w.u64(UInt64(size))
    }

    public static func read(from r: inout WireReader) throws(WireError) -> ObjectLocation {
        ObjectLocation(id: try r.objectID(), offset: try r.arenaBytes("object offset"), size: try r.arenaBytes("object size"))
    }
}
