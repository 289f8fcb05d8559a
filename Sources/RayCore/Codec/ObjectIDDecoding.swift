/// Implemented by the `Decoder` instances that `ValueDecoder` hands to `init(from:)`, so a type
/// can read an object reference written through `ObjectIDEncoding`.
public protocol ObjectIDDecoding {
    /// Decodes the single value of this decoder as an object ID.
    func decodeObjectID() throws -> ObjectID
}

/// A type whose values are references to objects: `ValueDecoder` makes one straight from the
/// object ID it reads (written through `ObjectIDEncoding`), with no `Decoder` in between, which
/// matters for values that hold thousands of refs. Other decoders use its `init(from:)`.
public protocol ObjectIDDecodable: Decodable {
    init(decodedObjectID id: ObjectID)
}
