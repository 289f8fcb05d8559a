/// The `Decoder` handed to `init(from:)` for one value: the top level, a map entry, an array
/// element (possibly one element of a numeric array) or a `superDecoder()` entry. It is also
/// that value's single value container, and the way to read object references.
struct ValueSlotDecoder: Decoder, SingleValueDecodingContainer, ObjectIDDecoding {
    let state: ValueDecoderState
    let offset: Int
    // 32 bits are plenty for a path bounded by `maxDepth`, and keep the decoder within an
    // existential's inline storage so passing it as `any Decoder` does not allocate.
    private let pathDepth: Int32
    /// Set when the value is an element of a numeric array rather than a MessagePack value.
    let elementType: NumericDType?

    init(state: ValueDecoderState, offset: Int, depth: Int, elementType: NumericDType?) {
        self.state = state
        self.offset = offset
        self.pathDepth = Int32(truncatingIfNeeded: depth)
        self.elementType = elementType
    }

    private var anchor: ValueCodingPathAnchor { ValueCodingPathAnchor(depth: Int(pathDepth), keys: []) }

    var codingPath: [any CodingKey] { state.codingPath(anchor) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        try state.keyedContainer(keyedBy: Key.self, at: offset, elementType: elementType, anchor: anchor)
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try state.unkeyedContainer(at: offset, elementType: elementType, anchor: anchor)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        self
    }

    func decodeObjectID() throws -> ObjectID {
        try state.objectID(at: offset, elementType: elementType, anchor: anchor)
    }

    func decodeNil() -> Bool {
        // Unreadable bytes are not nil; the decode that follows reports them.
        guard let (header, end) = try? state.header(at: offset, elementType: elementType), header.isNil else { return false }
        state.noteEnd(of: offset, at: end)
        return true
    }

    func decode(_ type: Bool.Type) throws -> Bool { try decodeScalar(type) }
    func decode(_ type: String.Type) throws -> String { try decodeScalar(type) }
    func decode(_ type: Double.Type) throws -> Double { try decodeScalar(type) }
    func decode(_ type: Float.Type) throws -> Float { try decodeScalar(type) }
    func decode(_ type: Int.Type) throws -> Int { try decodeScalar(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decodeScalar(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decodeScalar(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decodeScalar(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decodeScalar(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decodeScalar(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeScalar(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeScalar(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeScalar(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeScalar(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        var end = 0
        return try state.decodeValue(T.self, at: offset, elementType: elementType, anchor: anchor, key: { nil }, needsEnd: false, end: &end)
    }

    private func decodeScalar<S: MessagePackScalar>(_ type: S.Type) throws -> S {
        var end = 0
        return try state.decodeScalar(S.self, at: offset, elementType: elementType, anchor: anchor, key: { nil }, end: &end)
    }
}
