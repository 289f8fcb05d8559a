/// One MessagePack value as far as its leading bytes tell: scalars in full, strings, binaries
/// and extensions as the byte range of their payload, arrays and maps as their element count.
enum MessagePackHeader {
    case nilValue
    case bool(Bool)
    /// Any signed integer form (int8...int64, negative fixint).
    case signed(Int64)
    /// Any unsigned integer form (uint8...uint64, positive fixint).
    case unsigned(UInt64)
    case float32(Float)
    case float64(Double)
    case string(Range<Int>)
    case binary(Range<Int>)
    case array(count: Int)
    /// A map of `count` key-value pairs.
    case map(count: Int)
    case ext(type: Int8, payload: Range<Int>)

    /// What the value is, for "expected X, found Y" messages.
    var kindDescription: String {
        switch self {
        case .nilValue: "nil"
        case .bool(let value): "bool \(value)"
        case .signed(let value): "integer \(value)"
        case .unsigned(let value): "integer \(value)"
        case .float32(let value): "float32 \(value)"
        case .float64(let value): "float64 \(value)"
        case .string: "string"
        case .binary(let payload): "binary of \(payload.count) bytes"
        case .array(let count): "array of \(count) elements"
        case .map(let count): "map of \(count) entries"
        case .ext(CodecExtensionType.objectID.rawValue, _): "ObjectID"
        case .ext(CodecExtensionType.numericArray.rawValue, _): "numeric array"
        case .ext(let type, _): "extension type \(type)"
        }
    }

    var isNil: Bool {
        if case .nilValue = self { true } else { false }
    }

    /// Any integer form, when the value fits in `T`.
    func integer<T: FixedWidthInteger>(_: T.Type, at offset: Int) throws(MessagePackReadError) -> T {
        switch self {
        case .signed(let value):
            guard let result = T(exactly: value) else {
                throw .corrupted("integer \(value) does not fit in \(T.self)", at: offset)
            }
            return result
        case .unsigned(let value):
            guard let result = T(exactly: value) else {
                throw .corrupted("integer \(value) does not fit in \(T.self)", at: offset)
            }
            return result
        default:
            throw .mismatch(found: kindDescription, at: offset)
        }
    }

    /// float64 as is; float32 and integers widened (integers beyond 2^53 round).
    func double(at offset: Int) throws(MessagePackReadError) -> Double {
        switch self {
        case .float64(let value): value
        case .float32(let value): Double(value)
        case .signed(let value): Double(value)
        case .unsigned(let value): Double(value)
        default: throw .mismatch(found: kindDescription, at: offset)
        }
    }

    /// float32 as is; float64 rounded, since other writers (Python) only have doubles; integers
    /// rounded. A finite double beyond Float's range is an error rather than infinity.
    func float(at offset: Int) throws(MessagePackReadError) -> Float {
        switch self {
        case .float32(let value):
            return value
        case .float64(let value):
            let result = Float(value)
            guard result.isFinite || !value.isFinite else {
                throw .corrupted("float64 \(value) does not fit in Float", at: offset)
            }
            return result
        case .signed(let value):
            return Float(value)
        case .unsigned(let value):
            return Float(value)
        default:
            throw .mismatch(found: kindDescription, at: offset)
        }
    }

    func bool(at offset: Int) throws(MessagePackReadError) -> Bool {
        guard case .bool(let value) = self else { throw .mismatch(found: kindDescription, at: offset) }
        return value
    }
}
