/// The MessagePack extension type codes this codec defines. Other readers (the Python front
/// end) interpret the payloads by these numbers, so they are part of the wire format.
enum CodecExtensionType: Int8 {
    /// Payload: the 20 bytes of an `ObjectID`.
    case objectID = 1
    /// Payload: one `NumericDType` byte, then the elements' little-endian bytes.
    case numericArray = 2
}
