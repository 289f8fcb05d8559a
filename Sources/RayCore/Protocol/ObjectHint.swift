/// Where a node believes an object is (or will be made): sent with a forwarded task for each of
/// its argument objects, so the receiving node pulls each straight from the node that has it.
public struct ObjectHint: Sendable, Equatable {
    public var id: ObjectID
    public var node: NodeID
    /// The object's size when the sender knows it (it is sealed there), else 0: what spillback
    /// weighs when it prefers the node that holds most of a task's argument bytes.
    public var size: Int

    public init(id: ObjectID, node: NodeID, size: Int) {
        self.id = id
        self.node = node
        self.size = size
    }

    public static let wireBytes = ObjectID.byteCount + 8 + 8

    public func write(to w: inout WireWriter) {
        w.objectID(id)
        w.u64(node.value)
        w.u64(UInt64(size))
    }

    public static func read(from r: inout WireReader) throws(WireError) -> ObjectHint {
        ObjectHint(id: try r.objectID(), node: NodeID(try r.u64()), size: try r.arenaBytes("object size"))
    }
}
