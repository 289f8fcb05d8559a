/// A plain number whose arrays are stored as raw little-endian bytes tagged with a
/// `NumericDType`, so they can be copied in one block instead of element by element.
public protocol NumericElement: BitwiseCopyable, Sendable {
    /// The wire code for this element type.
    static var dtype: NumericDType { get }
}

extension Float: NumericElement { public static var dtype: NumericDType { .float32 } }
extension Double: NumericElement { public static var dtype: NumericDType { .float64 } }
extension Int8: NumericElement { public static var dtype: NumericDType { .int8 } }
extension Int16: NumericElement { public static var dtype: NumericDType { .int16 } }
extension Int32: NumericElement { public static var dtype: NumericDType { .int32 } }
extension Int64: NumericElement { public static var dtype: NumericDType { .int64 } }
extension UInt8: NumericElement { public static var dtype: NumericDType { .uint8 } }
extension UInt16: NumericElement { public static var dtype: NumericDType { .uint16 } }
extension UInt32: NumericElement { public static var dtype: NumericDType { .uint32 } }
extension UInt64: NumericElement { public static var dtype: NumericDType { .uint64 } }

// `Int` and `UInt` travel as their 64-bit forms, so their bytes can be copied as is only where
// they are 64 bits wide.
#if !_pointerBitWidth(_64)
#error("NumericElement maps Int and UInt to 64-bit dtypes, which needs a 64-bit platform")
#endif
extension Int: NumericElement { public static var dtype: NumericDType { .int64 } }
extension UInt: NumericElement { public static var dtype: NumericDType { .uint64 } }
