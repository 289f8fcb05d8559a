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

    public func write(to w: inout WireWriter) {
        w.objectID(id)
        w.u64(UInt64(offset))
        w.u64(UInt64(size))
    }

    public static func read(from r: inout WireReader) throws(WireError) -> ObjectLocation {
        ObjectLocation(id: try r.objectID(), offset: Int(truncatingIfNeeded: try r.u64()), size: Int(truncatingIfNeeded: try r.u64()))
    }
}
