/// Decodes `Decodable` values from MessagePack, as written by `ValueEncoder` or any other
/// MessagePack writer (fix, 8, 16 and 32-bit forms of every type are accepted; map keys must be
/// strings).
///
/// Integers of any width decode into any Swift integer type they fit; `Double` also accepts
/// float32 and integers, and `Float` accepts float64 (rounded) and integers. Numeric arrays of
/// extension type 2 decode in one copy into an array of the same element type, and element by
/// element (with the same conversions) into anything else; plain arrays decode into numeric
/// arrays too. Malformed or truncated input throws `DecodingError.dataCorrupted` naming the byte
/// offset; it never traps.
public struct ValueDecoder: Sendable {
    /// How many values may nest inside each other, which keeps hostile input decoded into a
    /// recursive type from exhausting the stack.
    public var maxDepth: Int

    /// Creates a decoder that allows `ValueEncoder.defaultMaxDepth` levels of nesting.
    public init() {
        maxDepth = ValueEncoder.defaultMaxDepth
    }

    /// Creates a decoder that fails input nested more than `maxDepth` deep.
    public init(maxDepth: Int) {
        self.maxDepth = maxDepth
    }

    /// Decodes a `T` from the MessagePack value at the start of `bytes`. The bytes are only
    /// read during the call.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer) throws -> T {
        let state = ValueDecoderState(reader: MessagePackReader(bytes: bytes), maxDepth: maxDepth)
        var end = 0
        return try state.decodeValue(T.self, at: 0, elementType: nil, anchor: .root, key: { nil }, needsEnd: false, end: &end)
    }

    /// Decodes a `T` from the MessagePack value at the start of `bytes`.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try bytes.withUnsafeBytes { try decode(type, from: $0) }
    }
}
