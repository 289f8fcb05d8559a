/// A keyed encoding container: a MessagePack map with string keys (`key.stringValue`).
struct ValueMapEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let state: ValueEncoderState
    /// The container's index in the encoder's stack of open containers.
    let frame: Int
    /// The offset of the map header, or -1 if the container could not be opened (then every
    /// write throws the reason).
    let header: Int

    var codingPath: [any CodingKey] { state.codingPath(depth: frame) }

    mutating func encodeNil(forKey key: Key) throws {
        try state.beginEntry(frame: frame, header: header, key: key, value: Any?.none as Any)
        state.writer.writeNil()
    }

    mutating func encode(_ value: Bool, forKey key: Key) throws { try state.encodeScalar(value, frame: frame, header: header, key: key) }
    mutating func encode(_ value: String, forKey key: Key) throws { try state.encodeScalar(value, frame: frame, header: header, key: key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try state.encodeScalar(value, frame: frame, header: header, key: key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try state.encodeScalar(value, frame: frame, header: header, key: key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try state.encodeScalar(value, frame: frame, header: header, key: key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try state.encodeScalar(value, frame: frame, header: header, key: key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try state.encodeScalar(value, frame: frame, header: header, key: key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try state.encodeScalar(value, frame: frame, header: header, key: key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try state.encodeScalar(value, frame: frame, header: header, key: key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try state.encodeScalar(value, frame: frame, header: header, key: key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try state.encodeScalar(value, frame: frame, header: header, key: key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try state.encodeScalar(value, frame: frame, header: header, key: key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try state.encodeScalar(value, frame: frame, header: header, key: key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try state.encodeScalar(value, frame: frame, header: header, key: key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try state.beginEntry(frame: frame, header: header, key: key, value: value)
        try state.encode(value, slotDepth: frame + 1, key: { key })
    }

    // `encodeIfPresent` is not left to its default, which calls `encode`: nested values
    // recurse through it, and one frame fewer per level keeps deep values within the stack.
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        guard let value else { return }
        try state.beginEntry(frame: frame, header: header, key: key, value: value)
        try state.encode(value, slotDepth: frame + 1, key: { key })
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = state.openNestedContainer(in: frame, header: header, key: key, isMap: true)
        return KeyedEncodingContainer(ValueMapEncodingContainer<NestedKey>(state: state, frame: frame + 1, header: nested))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = state.openNestedContainer(in: frame, header: header, key: key, isMap: false)
        return ValueArrayEncodingContainer(state: state, frame: frame + 1, header: nested)
    }

    mutating func superEncoder() -> any Encoder {
        state.superEncoder(in: frame, header: header, key: ValueCodingKey.superKey)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        state.superEncoder(in: frame, header: header, key: key)
    }
}
