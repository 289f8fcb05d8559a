/// An unkeyed decoding container over a MessagePack array, or over the elements of a numeric
/// array or binary when they are decoded one by one.
struct ValueArrayDecodingContainer: UnkeyedDecodingContainer {
    let state: ValueDecoderState
    let anchor: ValueCodingPathAnchor
    /// The offset of the array itself, whose end is reported once the last element is read.
    let start: Int
    /// Set when iterating raw numeric elements rather than MessagePack values.
    let elementType: NumericDType?
    private let elementCount: Int
    private(set) var currentIndex = 0
    /// The offset of the next element.
    private var cursor: Int

    init(state: ValueDecoderState, anchor: ValueCodingPathAnchor, start: Int, first: Int, count: Int, elementType: NumericDType?) {
        self.state = state
        self.anchor = anchor
        self.start = start
        self.cursor = first
        self.elementCount = count
        self.elementType = elementType
    }

    var codingPath: [any CodingKey] { state.codingPath(anchor) }
    var count: Int? { elementCount }
    var isAtEnd: Bool { currentIndex >= elementCount }

    mutating func decodeNil() throws -> Bool {
        try checkNotAtEnd(Any?.self)
        guard elementType == nil else { return false }
        do {
            let (header, end) = try state.reader.header(at: cursor)
            guard header.isNil else { return false }
            advance(to: end)
            return true
        } catch {
            throw error.decodingError(expected: Any?.self, codingPath: codingPath + [ValueCodingKey.index(currentIndex)])
        }
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try decodeScalar(type) }
    mutating func decode(_ type: String.Type) throws -> String { try decodeScalar(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try decodeScalar(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try decodeScalar(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try decodeScalar(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try decodeScalar(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try decodeScalar(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try decodeScalar(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try decodeScalar(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try decodeScalar(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeScalar(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeScalar(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeScalar(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeScalar(type) }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try checkNotAtEnd(T.self)
        let index = currentIndex
        var end = 0
        let value = try state.decodeValue(
            T.self, at: cursor, elementType: elementType, anchor: anchor, key: { ValueCodingKey.index(index) }, needsEnd: true, end: &end)
        advance(to: end)
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try checkNotAtEnd(KeyedDecodingContainer<NestedKey>.self)
        let container = try state.keyedContainer(
            keyedBy: NestedKey.self, at: cursor, elementType: elementType, anchor: anchor.appending(ValueCodingKey.index(currentIndex)))
        try skipElement()
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try checkNotAtEnd((any UnkeyedDecodingContainer).self)
        let container = try state.unkeyedContainer(at: cursor, elementType: elementType, anchor: anchor.appending(ValueCodingKey.index(currentIndex)))
        try skipElement()
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        try checkNotAtEnd((any Decoder).self)
        let decoder = state.detachedDecoder(at: cursor, elementType: elementType, anchor: anchor, key: ValueCodingKey.index(currentIndex))
        try skipElement()
        return decoder
    }

    private mutating func decodeScalar<S: MessagePackScalar>(_ type: S.Type) throws -> S {
        try checkNotAtEnd(S.self)
        let index = currentIndex
        var end = 0
        let value = try state.decodeScalar(S.self, at: cursor, elementType: elementType, anchor: anchor, key: { ValueCodingKey.index(index) }, end: &end)
        advance(to: end)
        return value
    }

    /// Moves past the element a nested container or super decoder was made for.
    private mutating func skipElement() throws {
        if let elementType {
            advance(to: cursor + elementType.byteWidth)
            return
        }
        do {
            advance(to: try state.reader.skipValue(at: cursor))
        } catch {
            throw error.decodingError(expected: Any.self, codingPath: codingPath + [ValueCodingKey.index(currentIndex)])
        }
    }

    private mutating func advance(to end: Int) {
        cursor = end
        currentIndex += 1
        if currentIndex == elementCount, elementType == nil {
            state.noteEnd(of: start, at: end)
        }
    }

    private func checkNotAtEnd(_ type: Any.Type) throws {
        guard isAtEnd else { return }
        let context = DecodingError.Context(
            codingPath: codingPath + [ValueCodingKey.index(currentIndex)], debugDescription: "Unkeyed container is at end.")
        throw DecodingError.valueNotFound(type, context)
    }
}
