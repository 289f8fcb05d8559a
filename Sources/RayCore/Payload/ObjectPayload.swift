/// The language-neutral layout of an object's bytes in the store. Every object starts with a
/// two-byte magic ("R" then a kind letter) so any front end can tell what it holds:
///
/// - `RV`: an 8-byte header, then a MessagePack value (the `ValueEncoder` format).
/// - `RT`: a 64-byte header `R T dtype ndim 0 0 0 0 shape[0..<ndim] as u64 LE`, then the raw
///   little-endian elements, starting 64 bytes in, so data is 64-byte aligned in the arena and a
///   reader can view it in place (numpy's `frombuffer` can too).
/// - `RE`: an 8-byte header, then an `ErrorRecord` in wire layout: the object of a failed task.
public enum ObjectPayload {
    public static let valueHeaderSize = 8
    public static let tensorHeaderSize = 64
    public static let maxTensorDimensions = 7

    public enum Kind: UInt8, Sendable {
        case value = 0x56  // "V"
        case tensor = 0x54  // "T"
        case error = 0x45  // "E"
    }

    static let magic: UInt8 = 0x52  // "R"

    /// The full payload of an encoded value.
    public static func value(_ encoded: [UInt8]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: valueHeaderSize)
        bytes.reserveCapacity(valueHeaderSize + encoded.count)
        bytes[0] = magic
        bytes[1] = Kind.value.rawValue
        bytes.append(contentsOf: encoded)
        return bytes
    }

    /// The full payload of an error object.
    public static func error(_ record: ErrorRecord) -> [UInt8] {
        var w = WireWriter()
        for byte in [magic, Kind.error.rawValue, 0, 0, 0, 0, 0, 0] { w.u8(byte) }
        record.write(to: &w)
        return w.bytes
    }

    /// The size of a tensor payload with `elementBytes` bytes of data.
    public static func tensorSize(elementBytes: Int) -> Int { tensorHeaderSize + elementBytes }

    /// Writes a tensor header at `destination`, which must have `tensorHeaderSize` bytes.
    public static func writeTensorHeader(to destination: UnsafeMutableRawPointer, dtype: NumericDType, shape: [Int]) {
        precondition(shape.count <= maxTensorDimensions, "at most \(maxTensorDimensions) dimensions")
        destination.initializeMemory(as: UInt8.self, repeating: 0, count: tensorHeaderSize)
        destination.storeBytes(of: magic, toByteOffset: 0, as: UInt8.self)
        destination.storeBytes(of: Kind.tensor.rawValue, toByteOffset: 1, as: UInt8.self)
        destination.storeBytes(of: dtype.rawValue, toByteOffset: 2, as: UInt8.self)
        destination.storeBytes(of: UInt8(shape.count), toByteOffset: 3, as: UInt8.self)
        for (i, extent) in shape.enumerated() {
            destination.storeBytes(of: UInt64(extent).littleEndian, toByteOffset: 8 + 8 * i, as: UInt64.self)
        }
    }

    /// The kind of the payload in `bytes`, or an error saying why it is not one of ours.
    public static func kind(of bytes: UnsafeRawBufferPointer) throws(ObjectPayloadError) -> Kind {
        guard bytes.count >= valueHeaderSize else { throw .tooShort(bytes.count) }
        guard bytes[0] == magic, let kind = Kind(rawValue: bytes[1]) else { throw .badMagic(bytes[0], bytes[1]) }
        return kind
    }

    /// The MessagePack bytes of a value payload.
    public static func valueBytes(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[valueHeaderSize...])
    }

    public static func errorRecord(_ bytes: UnsafeRawBufferPointer) throws -> ErrorRecord {
        var r = WireReader(UnsafeRawBufferPointer(rebasing: bytes[valueHeaderSize...]))
        return try ErrorRecord.read(from: &r)
    }

    /// The element type, shape and data of a tensor payload, checked against its length.
    public static func tensor(_ bytes: UnsafeRawBufferPointer) throws(ObjectPayloadError) -> TensorLayout {
        guard bytes.count >= tensorHeaderSize else { throw .tooShort(bytes.count) }
        guard let dtype = NumericDType(rawValue: bytes[2]) else { throw .badDType(bytes[2]) }
        let rank = Int(bytes[3])
        guard rank <= maxTensorDimensions else { throw .badShape("rank \(rank)") }
        var shape = [Int]()
        var count = 1
        for i in 0..<rank {
            let extent = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 + 8 * i, as: UInt64.self))
            guard extent <= UInt64(Int.max) else { throw .badShape("extent \(extent)") }
            shape.append(Int(extent))
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(extent))
            guard !overflow else { throw .badShape("\(shape) overflows") }
            count = product
        }
        let dataBytes = count.multipliedReportingOverflow(by: dtype.byteWidth)
        guard !dataBytes.overflow, tensorHeaderSize + dataBytes.partialValue == bytes.count else {
            throw .badShape("shape \(shape) of \(dtype) does not match \(bytes.count - tensorHeaderSize) data bytes")
        }
        return TensorLayout(dtype: dtype, shape: shape, data: UnsafeRawBufferPointer(rebasing: bytes[tensorHeaderSize...]))
    }
}

/// A tensor payload read in place.
public struct TensorLayout {
    public var dtype: NumericDType
    public var shape: [Int]
    public var data: UnsafeRawBufferPointer
}

/// Bytes in the store that are not a payload this codebase wrote.
public enum ObjectPayloadError: Error, CustomStringConvertible {
    case tooShort(Int)
    case badMagic(UInt8, UInt8)
    case badDType(UInt8)
    case badShape(String)

    public var description: String {
        switch self {
        case let .tooShort(count): "object payload of \(count) bytes is shorter than its header"
        case let .badMagic(a, b): "object payload starts with bytes \(a) \(b), not a Ray object header"
        case let .badDType(code): "tensor payload has unknown element type code \(code)"
        case let .badShape(what): "tensor payload has an invalid shape: \(what)"
        }
    }
}
