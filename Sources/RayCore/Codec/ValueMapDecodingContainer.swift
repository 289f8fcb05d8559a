/// A keyed decoding container over a MessagePack map, looking keys up in an index built once.
struct ValueMapDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let state: ValueDecoderState
    let index: ValueMapIndex
    let anchor: ValueCodingPathAnchor

    var codingPath: [any CodingKey] { state.codingPath(anchor) }
    var allKeys: [Key] { index.keys(in: state.reader).compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool {
        index.valueOffset(forKey: key.stringValue, in: state.reader) != nil
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        try isNil(at: valueOffset(for: key), key: key)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decodeScalar(type, forKey: key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decodeScalar(type, forKey: key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decodeScalar(type, forKey: key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decodeScalar(type, forKey: key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decodeScalar(type, forKey: key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decodeScalar(type, forKey: key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decodeScalar(type, forKey: key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decodeScalar(type, forKey: key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decodeScalar(type, forKey: key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decodeScalar(type, forKey: key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decodeScalar(type, forKey: key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decodeScalar(type, forKey: key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decodeScalar(type, forKey: key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decodeScalar(type, forKey: key) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        var end = 0
        return try state.decodeValue(T.self, at: valueOffset(for: key), elementType: nil, anchor: anchor, key: { key }, needsEnd: false, end: &end)
    }

    // Not left to the default, which looks the key up three times and calls `decode`: nested
    // values recurse through here, and one frame fewer per level keeps deep values within the stack.
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let offset = index.valueOffset(forKey: key.stringValue, in: state.reader), try !isNil(at: offset, key: key) else { return nil }
        var end = 0
        return try state.decodeValue(T.self, at: offset, elementType: nil, anchor: anchor, key: { key }, needsEnd: false, end: &end)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try state.keyedContainer(keyedBy: NestedKey.self, at: valueOffset(for: key), elementType: nil, anchor: anchor.appending(key))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try state.unkeyedContainer(at: valueOffset(for: key), elementType: nil, anchor: anchor.appending(key))
    }

    func superDecoder() throws -> any Decoder {
        state.detachedDecoder(at: try valueOffset(for: ValueCodingKey.superKey), elementType: nil, anchor: anchor, key: ValueCodingKey.superKey)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        state.detachedDecoder(at: try valueOffset(for: key), elementType: nil, anchor: anchor, key: key)
    }

    private func decodeScalar<S: MessagePackScalar>(_ type: S.Type, forKey key: Key) throws -> S {
        var end = 0
        return try state.decodeScalar(S.self, at: valueOffset(for: key), elementType: nil, anchor: anchor, key: { key }, end: &end)
    }

    private func isNil(at offset: Int, key: Key) throws -> Bool {
        do {
            return try state.reader.header(at: offset).header.isNil
        } catch {
            throw error.decodingError(expected: Any?.self, codingPath: codingPath + [key])
        }
    }

    private func valueOffset(for key: some CodingKey) throws -> Int {
        guard let offset = index.valueOffset(forKey: key.stringValue, in: state.reader) else {
            let description = "No value associated with key \(key) (\"\(key.stringValue)\")."
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: description))
        }
        return offset
    }
}
