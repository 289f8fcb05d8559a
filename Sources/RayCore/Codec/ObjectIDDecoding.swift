/// Implemented by the `Decoder` instances that `ValueDecoder` hands to `init(from:)`, so a type
/// can read an object reference written through `ObjectIDEncoding`.
public protocol ObjectIDDecoding {
    /// Decodes the single value of this decoder as an object ID.
    func decodeObjectID() throws -> ObjectID
}
