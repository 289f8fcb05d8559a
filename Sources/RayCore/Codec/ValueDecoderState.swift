/// What every decoder and container of one `ValueDecoder.decode` call shares: the input, the
/// coding-path key stack and the nesting depth.
final class ValueDecoderState {
    let reader: MessagePackReader
    private let maxDepth: Int
    /// How many `init(from:)` calls are running; bounded so hostile nesting cannot exhaust the stack.
    private var depth = 0
    /// The keys leading to the value being decoded. Pushed and popped around each nested
    /// `init(from:)` so that no path array is built per value; see `ValueCodingPathAnchor`.
    private var path: [any CodingKey] = []
    /// The type whose `init(from:)` is running, for error messages.
    private var currentType: Any.Type = Void.self
    /// The start of the value whose `init(from:)` is running, and its end once a container has
    /// seen it, which spares an array a second scan to find where its next element starts.
    private var valueStart = -1
    private var valueEnd = -1

    init(reader: MessagePackReader, maxDepth: Int) {
        self.reader = reader
        self.maxDepth = maxDepth
    }

    /// Decodes the value at `offset`, or the numeric-array element there when `elementType` is
    /// set. `key` names it within `anchor`'s container (nil for a single value container's
    /// value). `end` is where the value ends, or -1 when not `needsEnd` and not known anyway.
    func decodeValue<T: Decodable, K: CodingKey>(
        _ type: T.Type, at offset: Int, elementType: NumericDType?, anchor: ValueCodingPathAnchor, key: K?, needsEnd: Bool
    ) throws -> (value: T, end: Int) {
        if let scalarType = T.self as? any MessagePackScalar.Type {
            do {
                let (header, end) = try header(at: offset, elementType: elementType)
                let value = try scalarType.read(header, from: reader, at: offset)
                noteEnd(of: offset, at: end)
                return (value as! T, end)
            } catch {
                throw error.decodingError(expected: T.self, codingPath: codingPath(anchor, appending: key))
            }
        }
        if elementType == nil, let arrayType = T.self as? any BulkNumericArray.Type {
            do {
                if let (array, end) = try bulkArray(arrayType, at: offset) {
                    noteEnd(of: offset, at: end)
                    return (array as! T, end)
                }
            } catch {
                throw error.decodingError(expected: T.self, codingPath: codingPath(anchor, appending: key))
            }
        }
        return try decodeNested(T.self, at: offset, elementType: elementType, anchor: anchor, key: key, needsEnd: needsEnd)
    }

    /// A numeric array stored as extension type 2 of the same dtype (or as binary, for bytes),
    /// copied in one block; nil for anything else, which `init(from:)` then converts element by
    /// element.
    private func bulkArray(_ arrayType: any BulkNumericArray.Type, at offset: Int) throws(MessagePackReadError) -> (any BulkNumericArray, Int)? {
        let (header, end) = try reader.header(at: offset)
        switch header {
        case .ext(CodecExtensionType.numericArray.rawValue, let payload):
            let (dtype, elements) = try reader.numericArray(payload: payload, at: offset)
            guard dtype == arrayType.elementDType else { return nil }
            return (arrayType.init(littleEndianBytes: UnsafeRawBufferPointer(rebasing: reader.bytes[elements])), end)
        case .binary(let payload) where arrayType.elementDType == .uint8 || arrayType.elementDType == .int8:
            return (arrayType.init(littleEndianBytes: UnsafeRawBufferPointer(rebasing: reader.bytes[payload])), end)
        default:
            return nil
        }
    }

    private func decodeNested<T: Decodable, K: CodingKey>(
        _ type: T.Type, at offset: Int, elementType: NumericDType?, anchor: ValueCodingPathAnchor, key: K?, needsEnd: Bool
    ) throws -> (value: T, end: Int) {
        guard depth < maxDepth else {
            let message = "The input exceeds the maximum nesting depth (\(maxDepth)) while decoding \(T.self)."
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath(anchor, appending: key), debugDescription: message))
        }
        let outerPathCount = enterPath(anchor, key)
        let outer = (type: currentType, start: valueStart, end: valueEnd)
        currentType = T.self
        valueStart = offset
        valueEnd = -1
        depth += 1
        defer {
            depth -= 1
            (currentType, valueStart, valueEnd) = outer
            if path.count > outerPathCount {
                path.removeSubrange(outerPathCount...)
            }
        }
        let decoder = ValueSlotDecoder(state: self, offset: offset, depth: path.count, elementType: elementType)
        let value = try T(from: decoder)
        if let elementType {
            return (value, offset + elementType.byteWidth)
        }
        guard needsEnd, valueEnd < 0 else { return (value, valueEnd) }
        do {
            return (value, try reader.skipValue(at: offset))
        } catch {
            throw error.decodingError(expected: T.self, codingPath: decoder.codingPath)
        }
    }

    /// Records where the value starting at `start` ends, if it is the one being decoded.
    func noteEnd(of start: Int, at end: Int) {
        if start == valueStart {
            valueEnd = end
        }
    }

    /// The value at `offset` (or the element, with `elementType`), read as far as its header.
    func header(at offset: Int, elementType: NumericDType?) throws(MessagePackReadError) -> (header: MessagePackHeader, end: Int) {
        if let elementType {
            return (reader.numericElement(elementType, at: offset), offset + elementType.byteWidth)
        }
        return try reader.header(at: offset)
    }

    // MARK: Containers

    func keyedContainer<Key: CodingKey>(
        keyedBy type: Key.Type, at offset: Int, elementType: NumericDType?, anchor: ValueCodingPathAnchor
    ) throws -> KeyedDecodingContainer<Key> {
        do throws(MessagePackReadError) {
            let (header, firstEntry) = try header(at: offset, elementType: elementType)
            guard elementType == nil, case .map(let count) = header else {
                throw .mismatch(
                    expected: "a map (keyed container) for \(currentType)", found: found(header, elementType), at: offset)
            }
            let index = try ValueMapIndex.build(reader: reader, count: count, firstEntry: firstEntry)
            noteEnd(of: offset, at: index.end)
            return KeyedDecodingContainer(ValueMapDecodingContainer(state: self, index: index, anchor: anchor))
        } catch {
            throw error.decodingError(expected: [String: Any].self, codingPath: codingPath(anchor))
        }
    }

    /// An unkeyed container over an array, or over the elements of a numeric array or binary
    /// (for element-by-element conversion when the bulk copy does not apply).
    func unkeyedContainer(at offset: Int, elementType: NumericDType?, anchor: ValueCodingPathAnchor) throws -> any UnkeyedDecodingContainer {
        do throws(MessagePackReadError) {
            let (header, first) = try header(at: offset, elementType: elementType)
            switch header {
            case .array(let count) where elementType == nil:
                if count == 0 {
                    noteEnd(of: offset, at: first)
                }
                return ValueArrayDecodingContainer(state: self, anchor: anchor, start: offset, first: first, count: count, elementType: nil)
            case .ext(CodecExtensionType.numericArray.rawValue, let payload) where elementType == nil:
                let (dtype, elements) = try reader.numericArray(payload: payload, at: offset)
                noteEnd(of: offset, at: first)
                let count = elements.count / dtype.byteWidth
                return ValueArrayDecodingContainer(state: self, anchor: anchor, start: offset, first: elements.lowerBound, count: count, elementType: dtype)
            case .binary(let payload) where elementType == nil:
                noteEnd(of: offset, at: first)
                return ValueArrayDecodingContainer(state: self, anchor: anchor, start: offset, first: payload.lowerBound, count: payload.count, elementType: .uint8)
            default:
                throw .mismatch(
                    expected: "an array (unkeyed container) for \(currentType)", found: found(header, elementType), at: offset)
            }
        } catch {
            throw error.decodingError(expected: [Any].self, codingPath: codingPath(anchor))
        }
    }

    /// A decoder for `superDecoder()`. The caller uses it after this returns, so its keys are
    /// pushed without a scope to pop them; they stay right until the container that made it
    /// decodes another nested value.
    func detachedDecoder<K: CodingKey>(at offset: Int, elementType: NumericDType?, anchor: ValueCodingPathAnchor, key: K) -> ValueSlotDecoder {
        _ = enterPath(anchor, key)
        return ValueSlotDecoder(state: self, offset: offset, depth: path.count, elementType: elementType)
    }

    func objectID(at offset: Int, elementType: NumericDType?, anchor: ValueCodingPathAnchor) throws -> ObjectID {
        do throws(MessagePackReadError) {
            let (header, end) = try header(at: offset, elementType: elementType)
            guard elementType == nil, case .ext(CodecExtensionType.objectID.rawValue, let payload) = header else {
                throw .mismatch(found: found(header, elementType), at: offset)
            }
            noteEnd(of: offset, at: end)
            return try reader.objectID(payload: payload, at: offset)
        } catch {
            throw error.decodingError(expected: ObjectID.self, codingPath: codingPath(anchor))
        }
    }

    private func found(_ header: MessagePackHeader, _ elementType: NumericDType?) -> String {
        if let elementType { "\(elementType) element of a numeric array" } else { header.kindDescription }
    }

    // MARK: Coding paths

    func codingPath(_ anchor: ValueCodingPathAnchor) -> [any CodingKey] {
        path.prefix(anchor.depth) + anchor.keys
    }

    func codingPath<K: CodingKey>(_ anchor: ValueCodingPathAnchor, appending key: K?) -> [any CodingKey] {
        guard let key else { return codingPath(anchor) }
        return codingPath(anchor) + [key]
    }

    /// Makes the key stack `anchor`'s path plus `key`; returns the count to truncate back to.
    private func enterPath<K: CodingKey>(_ anchor: ValueCodingPathAnchor, _ key: K?) -> Int {
        if path.count > anchor.depth {
            path.removeSubrange(anchor.depth...)
        }
        let outerCount = path.count
        path.append(contentsOf: anchor.keys)
        if let key {
            path.append(key)
        }
        return outerCount
    }
}
