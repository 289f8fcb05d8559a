/// An `objectChunk` frame read in place: the payload bytes stay in the receive buffer, so the
/// receiver copies them once, straight into its store, instead of into a message first.
public struct ObjectChunkView {
    public let id: ObjectID
    public let totalSize: Int
    public let offset: Int
    public let contained: [ObjectID]
    /// Valid while the frame's buffer is: during the read loop's call that hands it over.
    public let bytes: UnsafeRawBufferPointer

    /// Parses a whole frame body (tag included) with the checks `Message.read` makes.
    public init(body: UnsafeRawBufferPointer) throws(WireError) {
        var r = WireReader(body)
        let tag = try r.u8()
        guard tag == MessageTag.objectChunk.rawValue else { throw WireError.unknownMessage(tag) }
        id = try r.objectID()
        totalSize = try r.arenaBytes("object size")
        offset = try r.arenaBytes("chunk offset")
        contained = try r.objectIDs()
        bytes = try r.blobBytes()
        guard r.remaining == 0 else { throw WireError.trailingBytes(r.remaining) }
        guard offset + bytes.count <= totalSize else {
            throw WireError.outOfRange(field: "object chunk end", value: UInt64(offset + bytes.count), limit: UInt64(totalSize))
        }
    }
}
