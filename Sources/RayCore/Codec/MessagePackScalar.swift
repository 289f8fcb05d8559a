/// Standard-library types that are a single MessagePack scalar. The codec writes and reads them
/// directly wherever they appear, including through the generic `encode<T>`/`decode<T>` paths
/// that arrays and dictionaries use for their elements.
protocol MessagePackScalar {
    func write(to writer: inout MessagePackWriter) throws(MessagePackWriter.LengthOverflow)
    static func read(_ header: MessagePackHeader, from reader: MessagePackReader, at offset: Int) throws(MessagePackReadError) -> Self
}

extension MessagePackScalar where Self: FixedWidthInteger {
    func write(to writer: inout MessagePackWriter) {
        writer.writeInteger(self)
    }

    static func read(_ header: MessagePackHeader, from reader: MessagePackReader, at offset: Int) throws(MessagePackReadError) -> Self {
        try header.integer(Self.self, at: offset)
    }
}

extension Int: MessagePackScalar {}
extension Int8: MessagePackScalar {}
extension Int16: MessagePackScalar {}
extension Int32: MessagePackScalar {}
extension Int64: MessagePackScalar {}
extension UInt: MessagePackScalar {}
extension UInt8: MessagePackScalar {}
extension UInt16: MessagePackScalar {}
extension UInt32: MessagePackScalar {}
extension UInt64: MessagePackScalar {}

extension Bool: MessagePackScalar {
    func write(to writer: inout MessagePackWriter) {
        writer.writeBool(self)
    }

    static func read(_ header: MessagePackHeader, from reader: MessagePackReader, at offset: Int) throws(MessagePackReadError) -> Bool {
        try header.bool(at: offset)
    }
}

extension Double: MessagePackScalar {
    func write(to writer: inout MessagePackWriter) {
        writer.writeDouble(self)
    }

    static func read(_ header: MessagePackHeader, from reader: MessagePackReader, at offset: Int) throws(MessagePackReadError) -> Double {
        try header.double(at: offset)
    }
}

extension Float: MessagePackScalar {
    func write(to writer: inout MessagePackWriter) {
        writer.writeFloat(self)
    }

    static func read(_ header: MessagePackHeader, from reader: MessagePackReader, at offset: Int) throws(MessagePackReadError) -> Float {
        try header.float(at: offset)
    }
}

extension String: MessagePackScalar {
    func write(to writer: inout MessagePackWriter) throws(MessagePackWriter.LengthOverflow) {
        try writer.writeString(self)
    }

    static func read(_ header: MessagePackHeader, from reader: MessagePackReader, at offset: Int) throws(MessagePackReadError) -> String {
        guard case .string(let range) = header else { throw .mismatch(found: header.kindDescription, at: offset) }
        return try reader.string(in: range, at: offset)
    }
}
