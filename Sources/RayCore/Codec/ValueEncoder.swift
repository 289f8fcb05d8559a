/// Serializes `Encodable` values as MessagePack, readable by any MessagePack library (such as
/// Python's `msgpack`).
///
/// Keyed containers become maps with string keys, unkeyed containers arrays, `nil` the
/// MessagePack nil (keyed containers omit nil optionals, as `encodeIfPresent` does), integers
/// their smallest form, `Float` float32 and `Double` float64. Two extension types carry what
/// MessagePack has no type for:
/// - type 1, an `ObjectID` written through `ObjectIDEncoding` (payload: its 20 bytes);
/// - type 2, an array of `NumericElement`s such as `[Float]` or `[Int64]` (payload: the
///   `NumericDType` byte, then the elements' little-endian bytes), copied in one block.
///
/// Containers get 32-bit count headers patched in when they are finished, so values stream
/// into one buffer in a single pass; this requires filling containers in the order they appear,
/// which synthesized and ordinary hand-written conformances do.
public struct ValueEncoder: Sendable {
    /// How many values may nest inside each other before encoding fails, which turns a cyclic
    /// object graph into an error instead of a stack overflow.
    public var maxDepth: Int

    /// How deep values may nest by default: about Python Ray's limit (pickle's recursion limit
    /// of 1,000), and shallow enough for the stack of every thread that encodes or decodes
    /// values (`FramedConnection.threadStackSize`, the cooperative pool's 8 MiB).
    public static let defaultMaxDepth = 1000

    /// Creates an encoder that fails values nested more than `maxDepth` deep.
    public init(maxDepth: Int = ValueEncoder.defaultMaxDepth) {
        self.maxDepth = maxDepth
    }

    /// Encodes `value`; throws `EncodingError.invalidValue` naming the type that could not be
    /// encoded.
    public func encode<T: Encodable>(_ value: T) throws -> EncodedValue {
        let state = ValueEncoderState(maxDepth: maxDepth)
        try state.encode(value, slotDepth: 0, key: { nil })
        return EncodedValue(bytes: state.writer.bytes, containedObjectIDs: state.objectIDs)
    }
}
