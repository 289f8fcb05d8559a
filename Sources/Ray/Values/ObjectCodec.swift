import RayCore

/// Turns values into object payloads and back: numeric arrays as in-place tensors, everything
/// else as MessagePack, and error objects into the `TaskError` they carry.
enum ObjectCodec {
    static func payload<T: Encodable>(for value: T) throws -> PayloadWriter {
        // The static type decides: an `[UInt8]?` holding an array is a value (an optional), not a
        // tensor, or it could not be read back as what it was stored as.
        if let tensor = value as? any TensorStorable, T.self is any TensorStorable.Type { return tensorPayload(tensor) }
        let encoded = try encode(value)
        let bytes = encoded.bytes
        let contained = encoded.containedObjectIDs
        // The refs in `value` hold these now; the hold outlives `value` until the payload is stored.
        let hold = contained.isEmpty ? nil : CoreWorkerRegistry.current?.hold(contained, countedByNode: false)
        return PayloadWriter(size: ObjectPayload.valueHeaderSize + bytes.count, contained: contained, containedHold: hold) { destination in
            let header = ObjectPayload.value([])
            header.withUnsafeBytes { destination.copyMemory(from: $0) }
            bytes.withUnsafeBytes {
                UnsafeMutableRawBufferPointer(rebasing: destination[ObjectPayload.valueHeaderSize...]).copyMemory(from: $0)
            }
        }
    }

    private static func tensorPayload(_ tensor: some TensorStorable) -> PayloadWriter {
        let dataBytes = tensor.withTensorBytes { $0.count }
        let shape = tensor.tensorShape
        let dtype = type(of: tensor).tensorDType
        nonisolated(unsafe) let source = tensor
        return PayloadWriter(size: ObjectPayload.tensorSize(elementBytes: dataBytes), contained: []) { destination in
            ObjectPayload.writeTensorHeader(to: destination.baseAddress!, dtype: dtype, shape: shape)
            source.withTensorBytes { data in
                guard data.count > 0 else { return }
                UnsafeMutableRawBufferPointer(rebasing: destination[ObjectPayload.tensorHeaderSize...]).copyMemory(from: data)
            }
        }
    }

    /// MessagePack bytes of a value, with errors that name the type.
    static func encode<T: Encodable>(_ value: T) throws -> EncodedValue {
        do {
            return try ValueEncoder().encode(value)
        } catch let error as EncodingError {
            throw RayError.serialization("cannot encode a value of type \(T.self): \(Self.describe(error))")
        }
    }

    static func decodeArgument<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        do {
            return try ValueDecoder().decode(T.self, from: bytes)
        } catch let error as DecodingError {
            throw RayError.serialization("cannot decode an argument of type \(T.self): \(Self.describe(error))")
        }
    }

    /// Decodes an object; an error object throws the `TaskError` it holds.
    static func decode<T: Decodable>(_ type: T.Type, from buffer: ObjectBuffer) throws -> T {
        switch try ObjectPayload.kind(of: buffer.bytes) {
        case .error:
            throw TaskError(try ObjectPayload.errorRecord(buffer.bytes))
        case .tensor:
            guard let tensorType = T.self as? any TensorStorable.Type else {
                throw RayError.serialization("object \(buffer.id) holds a numeric array, which cannot be read as \(T.self)")
            }
            return try tensorType.fromTensor(try ObjectPayload.tensor(buffer.bytes), owner: buffer) as! T
        case .value:
            do {
                return try ValueDecoder().decode(T.self, from: ObjectPayload.valueBytes(buffer.bytes))
            } catch let error as DecodingError {
                throw RayError.serialization("cannot decode object \(buffer.id) as \(T.self): \(Self.describe(error))")
            }
        }
    }

    /// The error an object holds, if it is an error object.
    static func error(in buffer: ObjectBuffer) -> ErrorRecord? {
        guard (try? ObjectPayload.kind(of: buffer.bytes)) == .error else { return nil }
        return try? ObjectPayload.errorRecord(buffer.bytes)
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case let EncodingError.invalidValue(_, context): context.debugDescription
        case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context),
             let DecodingError.keyNotFound(_, context), let DecodingError.dataCorrupted(context):
            context.debugDescription + (context.codingPath.isEmpty ? "" : " at " + context.codingPath.map(\.stringValue).joined(separator: "."))
        default: String(describing: error)
        }
    }
}
