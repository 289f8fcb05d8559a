/// Appends MessagePack values to a growing byte array. Scalars take their smallest form;
/// containers get fixed-width 32-bit headers whose counts are patched in once the container is
/// finished, since the encoder streams elements before it knows how many there are.
struct MessagePackWriter {
    /// Thrown when a string or extension payload is longer than a 32-bit length can say.
    struct LengthOverflow: Error {
        let length: Int
    }

    /// The longest payload a MessagePack length field can describe.
    static let maxLength = Int(UInt32.max)

    private(set) var bytes: [UInt8]

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    var count: Int { bytes.count }

    mutating func writeNil() {
        bytes.append(0xc0)  // nil
    }

    mutating func writeBool(_ value: Bool) {
        bytes.append(value ? 0xc3 : 0xc2)  // true, false
    }

    mutating func writeInteger<T: FixedWidthInteger>(_ value: T) {
        if value < 0 {
            writeNegative(Int64(value))
        } else {
            writeNonNegative(UInt64(value))
        }
    }

    private mutating func writeNonNegative(_ value: UInt64) {
        if value < 0x80 {
            bytes.append(UInt8(value))  // positive fixint
        } else if value <= 0xff {
            bytes.append(0xcc)  // uint 8
            bytes.append(UInt8(value))
        } else if value <= 0xffff {
            bytes.append(0xcd)  // uint 16
            appendBigEndian(UInt16(value))
        } else if value <= 0xffff_ffff {
            bytes.append(0xce)  // uint 32
            appendBigEndian(UInt32(value))
        } else {
            bytes.append(0xcf)  // uint 64
            appendBigEndian(value)
        }
    }

    private mutating func writeNegative(_ value: Int64) {
        if value >= -32 {
            bytes.append(UInt8(truncatingIfNeeded: value))  // negative fixint, 0xe0...0xff
        } else if value >= Int64(Int8.min) {
            bytes.append(0xd0)  // int 8
            bytes.append(UInt8(truncatingIfNeeded: value))
        } else if value >= Int64(Int16.min) {
            bytes.append(0xd1)  // int 16
            appendBigEndian(Int16(value))
        } else if value >= Int64(Int32.min) {
            bytes.append(0xd2)  // int 32
            appendBigEndian(Int32(value))
        } else {
            bytes.append(0xd3)  // int 64
            appendBigEndian(value)
        }
    }

    mutating func writeFloat(_ value: Float) {
        bytes.append(0xca)  // float 32
        appendBigEndian(value.bitPattern)
    }

    mutating func writeDouble(_ value: Double) {
        bytes.append(0xcb)  // float 64
        appendBigEndian(value.bitPattern)
    }

    mutating func writeString(_ string: String) throws(LengthOverflow) {
        let utf8 = string.utf8
        let length = utf8.count
        if length < 32 {
            bytes.append(0xa0 | UInt8(length))  // fixstr
        } else if length <= 0xff {
            bytes.append(0xd9)  // str 8
            bytes.append(UInt8(length))
        } else if length <= 0xffff {
            bytes.append(0xda)  // str 16
            appendBigEndian(UInt16(length))
        } else if length <= Self.maxLength {
            bytes.append(0xdb)  // str 32
            appendBigEndian(UInt32(length))
        } else {
            throw LengthOverflow(length: length)
        }
        bytes.append(contentsOf: utf8)
    }

    /// Writes an empty map: the value of an `encode(to:)` that encoded nothing (where
    /// JSONEncoder writes `{}`).
    mutating func writeEmptyMap() {
        bytes.append(0x80)  // fixmap with no entries
    }

    /// Writes a map32 or array32 header with a zero count and returns its offset, for
    /// `patchContainerCount` to fill in.
    mutating func reserveContainerHeader(isMap: Bool) -> Int {
        let offset = bytes.count
        bytes.append(isMap ? 0xdf : 0xdd)  // map 32, array 32
        appendBigEndian(UInt32(0))
        return offset
    }

    /// Stores the final element (or pair) count of the container whose header is at `offset`;
    /// the caller keeps `count` within `UInt32`.
    mutating func patchContainerCount(at offset: Int, count: Int) {
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt32(count).bigEndian, toByteOffset: offset + 1, as: UInt32.self)
        }
    }

    /// Writes extension type 1 with the ID's 20 bytes.
    mutating func writeObjectID(_ id: ObjectID) {
        bytes.append(0xc7)  // ext 8
        bytes.append(UInt8(ObjectID.byteCount))
        bytes.append(UInt8(bitPattern: CodecExtensionType.objectID.rawValue))
        bytes.append(contentsOf: id.bytes)
    }

    /// Writes extension type 2: the dtype byte, then `elements` (little-endian) in one copy.
    mutating func writeNumericArray(_ dtype: NumericDType, elements: UnsafeRawBufferPointer) throws(LengthOverflow) {
        let length = elements.count + 1
        if length <= 0xff {
            bytes.append(0xc7)  // ext 8
            bytes.append(UInt8(length))
        } else if length <= 0xffff {
            bytes.append(0xc8)  // ext 16
            appendBigEndian(UInt16(length))
        } else if length <= Self.maxLength {
            bytes.append(0xc9)  // ext 32
            appendBigEndian(UInt32(length))
        } else {
            throw LengthOverflow(length: length)
        }
        bytes.append(UInt8(bitPattern: CodecExtensionType.numericArray.rawValue))
        bytes.append(dtype.rawValue)
        bytes.append(contentsOf: elements)
    }

    private mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }
}
