/// The element type of a numeric array, as one byte on the wire. The codes are shared by the
/// value codec's numeric-array extension and the object store's array format, so they must
/// never be renumbered.
public enum NumericDType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// `Float`.
    case float32 = 1
    /// `Double`.
    case float64 = 2
    /// `Int8`.
    case int8 = 3
    /// `Int16`.
    case int16 = 4
    /// `Int32`.
    case int32 = 5
    /// `Int64`, and `Int`.
    case int64 = 6
    /// `UInt8`.
    case uint8 = 7
    /// `UInt16`.
    case uint16 = 8
    /// `UInt32`.
    case uint32 = 9
    /// `UInt64`, and `UInt`.
    case uint64 = 10

    /// The size of one element in bytes.
    public var byteWidth: Int {
        switch self {
        case .int8, .uint8: 1
        case .int16, .uint16: 2
        case .float32, .int32, .uint32: 4
        case .float64, .int64, .uint64: 8
        }
    }

    /// The Swift name of the element type (`Float32`, `Int64`, ...), for messages.
    public var description: String {
        switch self {
        case .float32: "Float32"
        case .float64: "Float64"
        case .int8: "Int8"
        case .int16: "Int16"
        case .int32: "Int32"
        case .int64: "Int64"
        case .uint8: "UInt8"
        case .uint16: "UInt16"
        case .uint32: "UInt32"
        case .uint64: "UInt64"
        }
    }
}
