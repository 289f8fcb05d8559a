/// An unkeyed encoding container: a MessagePack array.
struct ValueArrayEncodingContainer: UnkeyedEncodingContainer {
    let state: ValueEncoderState
    /// The container's index in the encoder's stack of open containers.
    let frame: Int
    /// The offset of the array header, or -1 if the container could not be opened (then every
    /// write throws the reason).
    let header: Int

    var codingPath: [any CodingKey] { state.codingPath(depth: frame) }
    var count: Int { state.entryCount(frame: frame, header: header) }

    mutating func encodeNil() throws {
        try state.beginEntry(frame: frame, header: header, value: Any?.none as Any)
        state.writer.writeNil()
    }

    mutating func encode(_ value: Bool) throws { try state.encodeScalar(value, frame: frame, header: header) }
    mutating func encode(_ value: String) throws { try state.encodeScalar(value, frame: frame, header: header) }
    mutating func encode(_ value: Double) throws { try state.encodeScalar(value, frame: frame, header: header) }
    mutating func encode(_ value: Float) throws { try state.encodeScalar(value, frame: frame, header: header) }
    mutating func encode(_ value: Int) throws { try state.encodeScalar(value, frame: frame, header: header) }
    mutating func encode(_ value: Int8) throws { try state.encodeScalar(value, frame: frame, header: header) }
    mutating func encode(_ value: Int16) throws { try state.encodeScalar(value, frame: frame, header: header) }
    mutating func encode(_ value: Int32) throws { try state.encodeScalar(value, frame: frame, header: header) }
    mutating func encode(_ value: Int64) throws { try state.encodeScalar(value, frame: frame, header: header) }
    mutating func encode(_ value: UInt) throws { try state.encodeScalar(value, frame: frame, header: header) }
    mutating func encode(_ value: UInt8) throws { try state.encodeScalar(value, frame: frame, header: header) }
    mutating func encode(_ value: UInt16) throws { try state.encodeScalar(value, frame: frame, header: header) }
    mutating func encode(_ value: UInt32) throws { try state.encodeScalar(value, frame: frame, header: header) }
    mutating func encode(_ value: UInt64) throws { try state.encodeScalar(value, frame: frame, header: header) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try state.beginEntry(frame: frame, header: header, value: value)
        try state.encode(value, slotDepth: frame + 1, key: { nil })
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = state.openNestedContainer(in: frame, header: header, key: nil, isMap: true)
        return KeyedEncodingContainer(ValueMapEncodingContainer<NestedKey>(state: state, frame: frame + 1, header: nested))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = state.openNestedContainer(in: frame, header: header, key: nil, isMap: false)
        return ValueArrayEncodingContainer(state: state, frame: frame + 1, header: nested)
    }

    mutating func superEncoder() -> any Encoder {
        state.superEncoder(in: frame, header: header, key: nil)
    }
}
