/// Implemented by the `Encoder` instances that `ValueEncoder` hands to `encode(to:)`, so a type
/// can write an object reference. The ID is stored as MessagePack extension type 1 and reported
/// in `EncodedValue.containedObjectIDs`.
public protocol ObjectIDEncoding {
    /// Encodes `id` as the single value of this encoder.
    func encodeObjectID(_ id: ObjectID) throws
}
