/// The `Encoder` handed to `encode(to:)` for one value position (slot) in the output: the top
/// level, a map entry, an array element or a `superEncoder()` entry. It is also that slot's
/// single value container, and the way to write object references.
struct ValueSlotEncoder: Encoder, SingleValueEncodingContainer, ObjectIDEncoding {
    let state: ValueEncoderState
    /// How many containers enclose the slot; the slot's own container becomes frame `depth`.
    let depth: Int
    /// Where the slot's value starts, which tells whether it has been written yet.
    let start: Int

    var codingPath: [any CodingKey] { state.codingPath(depth: depth) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let header = state.openContainer(slotDepth: depth, start: start, isMap: true)
        return KeyedEncodingContainer(ValueMapEncodingContainer(state: state, frame: depth, header: header))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let header = state.openContainer(slotDepth: depth, start: start, isMap: false)
        return ValueArrayEncodingContainer(state: state, frame: depth, header: header)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        self
    }

    func encodeObjectID(_ id: ObjectID) throws {
        try state.beginSingleValue(start: start, depth: depth, value: id)
        state.writeObjectID(id)
    }

    mutating func encodeNil() throws {
        try state.beginSingleValue(start: start, depth: depth, value: Any?.none as Any)
        state.writer.writeNil()
    }

    mutating func encode(_ value: Bool) throws { try state.encodeScalar(value, start: start, depth: depth) }
    mutating func encode(_ value: String) throws { try state.encodeScalar(value, start: start, depth: depth) }
    mutating func encode(_ value: Double) throws { try state.encodeScalar(value, start: start, depth: depth) }
    mutating func encode(_ value: Float) throws { try state.encodeScalar(value, start: start, depth: depth) }
    mutating func encode(_ value: Int) throws { try state.encodeScalar(value, start: start, depth: depth) }
    mutating func encode(_ value: Int8) throws { try state.encodeScalar(value, start: start, depth: depth) }
    mutating func encode(_ value: Int16) throws { try state.encodeScalar(value, start: start, depth: depth) }
    mutating func encode(_ value: Int32) throws { try state.encodeScalar(value, start: start, depth: depth) }
    mutating func encode(_ value: Int64) throws { try state.encodeScalar(value, start: start, depth: depth) }
    mutating func encode(_ value: UInt) throws { try state.encodeScalar(value, start: start, depth: depth) }
    mutating func encode(_ value: UInt8) throws { try state.encodeScalar(value, start: start, depth: depth) }
    mutating func encode(_ value: UInt16) throws { try state.encodeScalar(value, start: start, depth: depth) }
    mutating func encode(_ value: UInt32) throws { try state.encodeScalar(value, start: start, depth: depth) }
    mutating func encode(_ value: UInt64) throws { try state.encodeScalar(value, start: start, depth: depth) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try state.beginSingleValue(start: start, depth: depth, value: value)
        try state.encode(value, slotDepth: depth, key: { nil })
    }
}
