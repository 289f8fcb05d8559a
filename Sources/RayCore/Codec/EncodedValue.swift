/// A value serialized by `ValueEncoder`: its MessagePack bytes and the object IDs written
/// inside it, which the owner of the bytes must keep alive as long as the bytes exist.
public struct EncodedValue: Sendable {
    /// The MessagePack encoding of the value.
    public var bytes: [UInt8]
    /// Every `ObjectID` encoded through `ObjectIDEncoding`, in encoding order (with repeats).
    public var containedObjectIDs: [ObjectID]

    /// Wraps bytes and the IDs they contain, as `ValueEncoder` produces them.
    public init(bytes: [UInt8], containedObjectIDs: [ObjectID]) {
        self.bytes = bytes
        self.containedObjectIDs = containedObjectIDs
    }
}
