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
        let offset = try valueOffset(for: key)
        do {
            return try state.reader.header(at: offset).header.isNil
        } catch {
            throw error.decodingError(expected: Any?.self, codingPath: codingPath + [key])
        }
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decodeEntry(type, forKey: key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decodeEntry(type, forKey: key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decodeEntry(type, forKey: key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decodeEntry(type, forKey: key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decodeEntry(type, forKey: key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decodeEntry(type, forKey: key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decodeEntry(type, forKey: key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decodeEntry(type, forKey: key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decodeEntry(type, forKey: key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decodeEntry(type, forKey: key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decodeEntry(type, forKey: key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decodeEntry(type, forKey: key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decodeEntry(type, forKey: key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decodeEntry(type, forKey: key) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decodeEntry(type, forKey: key) }

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

    private func decodeEntry<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try state.decodeValue(T.self, at: valueOffset(for: key), elementType: nil, anchor: anchor, key: key, needsEnd: false).value
    }

    private func valueOffset(for key: some CodingKey) throws -> Int {
        guard let offset = index.valueOffset(forKey: key.stringValue, in: state.reader) else {
            let description = "No value associated with key \(key) (\"\(key.stringValue)\")."
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: description))
        }
        return offset
    }
}
