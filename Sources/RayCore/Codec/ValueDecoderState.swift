/// What every decoder and container of one `ValueDecoder.decode` call shares: the input, the
/// coding-path key stack and the nesting depth.
///
/// The mutable properties opt out of dynamic exclusivity checks, which cost a large part of the
/// decoding time: one decode call uses its state on one thread, and no access to a property
/// overlaps another access to it.
final class ValueDecoderState {
    /// The bookkeeping of an enclosing value, restored when a nested value is done.
    private struct OuterValue {
        let pathCount: Int
        let type: Any.Type
        let start: Int
        let end: Int
    }

    let reader: MessagePackReader
    private let maxDepth: Int
    /// What to restore when each running nested `init(from:)` returns; its count is the nesting
    /// depth, bounded so hostile nesting cannot exhaust the stack.
    @exclusivity(unchecked) private var outerValues: [OuterValue] = []
    /// The keys leading to the value being decoded. Pushed and popped around each nested
    /// `init(from:)` so that no path array is built per value; see `ValueCodingPathAnchor`.
    @exclusivity(unchecked) private var path: [any CodingKey] = []
    /// The type whose `init(from:)` is running, for error messages.
    @exclusivity(unchecked) private var currentType: Any.Type = Void.self
    /// The start of the value whose `init(from:)` is running, and its end once a container has
    /// seen it, which spares an array a second scan to find where its next element starts.
    @exclusivity(unchecked) private var valueStart = -1
    @exclusivity(unchecked) private var valueEnd = -1
    /// The last type found to need its `init(from:)`, so that the elements of an array of
    /// structs skip the two conformance lookups of `decodeValue`.
    @exclusivity(unchecked) private var lastNestedType: ObjectIdentifier?
    /// The last reference type met, so that the elements of an array of refs skip the
    /// conformance lookup.
    @exclusivity(unchecked) private var lastReferenceType: (any ObjectIDDecodable.Type)?

    init(reader: MessagePackReader, maxDepth: Int) {
        self.reader = reader
        self.maxDepth = maxDepth
    }

    /// Decodes the value at `offset`, or the numeric-array element there when `elementType` is
    /// set. `key` names it within `anchor`'s container. With `needsEnd`, `end` receives where
    /// the value ends (else it may be left alone).
    ///
    /// Nested values recurse through here, so the frame is kept small (casts, bookkeeping and
    /// error building live in other functions): hostile nesting must hit `maxDepth` before a
    /// 512 KB thread stack runs out, even in a debug build.
    func decodeValue<T: Decodable>(
        _ type: T.Type, at offset: Int, elementType: NumericDType?, anchor: ValueCodingPathAnchor, key: ValueEntryKey,
        needsEnd: Bool, end: inout Int
    ) throws -> T {
        if let lastReferenceType, ObjectIdentifier(lastReferenceType) == ObjectIdentifier(T.self) {
            return try reference(lastReferenceType, at: offset, elementType: elementType, anchor: anchor, key: key, end: &end) as! T
        }
        if lastNestedType != ObjectIdentifier(T.self),
           let value = try decodeDirectly(T.self, at: offset, elementType: elementType, anchor: anchor, key: key, end: &end) {
            return value
        }
        let decoder = try enterValue(T.self, at: offset, elementType: elementType, anchor: anchor, key: key)
        defer { leaveValue() }
        let value = try T(from: decoder)
        if needsEnd {
            end = try endOfValue(T.self, at: offset, elementType: elementType)
        }
        return value
    }

    /// Reads scalars and same-dtype numeric arrays; nil for anything that needs its `init(from:)`.
    private func decodeDirectly<T: Decodable>(
        _ type: T.Type, at offset: Int, elementType: NumericDType?, anchor: ValueCodingPathAnchor, key: ValueEntryKey, end: inout Int
    ) throws -> T? {
        if let scalarType = T.self as? any MessagePackScalar.Type {
            return try decodeScalar(scalarType, at: offset, elementType: elementType, anchor: anchor, key: key, end: &end) as? T
        }
        if let arrayType = T.self as? any BulkNumericArray.Type {
            // Not remembered as nested: the next array of this type may well be a bulk one.
            guard elementType == nil, let array = try bulkArray(arrayType, at: offset, anchor: anchor, key: key, end: &end) else { return nil }
            return array as? T
        }
        if let referenceType = T.self as? any ObjectIDDecodable.Type {
            lastReferenceType = referenceType
            return try reference(referenceType, at: offset, elementType: elementType, anchor: anchor, key: key, end: &end) as? T
        }
        lastNestedType = ObjectIdentifier(T.self)
        return nil
    }

    /// Decodes a scalar; containers call this from their typed overloads, where the type is
    /// known, so no dynamic cast is needed. `end` receives where the value ends.
    func decodeScalar<S: MessagePackScalar>(
        _ type: S.Type, at offset: Int, elementType: NumericDType?, anchor: ValueCodingPathAnchor, key: ValueEntryKey, end: inout Int
    ) throws -> S {
        do throws(MessagePackReadError) {
            let header: MessagePackHeader
            (header, end) = try self.header(at: offset, elementType: elementType)
            let value = try S.read(header, from: reader, at: offset)
            noteEnd(of: offset, at: end)
            return value
        } catch {
            throw error.decodingError(expected: S.self, codingPath: codingPath(anchor, appending: key))
        }
    }

    /// A reference made straight from the object ID at `offset`: no `Decoder`, no coding path.
    private func reference(
        _ referenceType: any ObjectIDDecodable.Type, at offset: Int, elementType: NumericDType?, anchor: ValueCodingPathAnchor,
        key: ValueEntryKey, end: inout Int
    ) throws -> any ObjectIDDecodable {
        do throws(MessagePackReadError) {
            let header: MessagePackHeader
            (header, end) = try self.header(at: offset, elementType: elementType)
            guard elementType == nil, case .ext(CodecExtensionType.objectID.rawValue, let payload) = header else {
                throw .mismatch(found: found(header, elementType), at: offset)
            }
            let id = try reader.objectID(payload: payload, at: offset)
            noteEnd(of: offset, at: end)
            return referenceType.init(decodedObjectID: id)
        } catch {
            throw error.decodingError(expected: referenceType, codingPath: codingPath(anchor, appending: key))
        }
    }

    /// A numeric array stored as extension type 2 of the same dtype (or as binary, for bytes),
    /// copied in one block; nil for anything else, which `init(from:)` then converts element by
    /// element.
    private func bulkArray(
        _ arrayType: any BulkNumericArray.Type, at offset: Int, anchor: ValueCodingPathAnchor, key: ValueEntryKey, end: inout Int
    ) throws -> (any BulkNumericArray)? {
        do throws(MessagePackReadError) {
            let (header, valueEnd) = try reader.header(at: offset)
            let elements: Range<Int>
            switch header {
            case .ext(CodecExtensionType.numericArray.rawValue, let payload):
                let (dtype, range) = try reader.numericArray(payload: payload, at: offset)
                guard dtype == arrayType.elementDType else { return nil }
                elements = range
            case .binary(let payload) where arrayType.elementDType == .uint8 || arrayType.elementDType == .int8:
                elements = payload
            default:
                return nil
            }
            end = valueEnd
            noteEnd(of: offset, at: valueEnd)
            return arrayType.init(littleEndianBytes: UnsafeRawBufferPointer(rebasing: reader.bytes[elements]))
        } catch {
            throw error.decodingError(expected: arrayType, codingPath: codingPath(anchor, appending: key))
        }
    }

    /// Checks the depth limit, saves the enclosing value's bookkeeping on `outerValues` and
    /// makes the decoder for a nested value.
    private func enterValue(
        _ type: Any.Type, at offset: Int, elementType: NumericDType?, anchor: ValueCodingPathAnchor, key: ValueEntryKey
    ) throws -> ValueSlotDecoder {
        guard outerValues.count < maxDepth else {
            let message = "The input exceeds the maximum nesting depth (\(maxDepth)) while decoding \(type)."
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath(anchor, appending: key), debugDescription: message))
        }
        outerValues.append(OuterValue(pathCount: enterPath(anchor, key()), type: currentType, start: valueStart, end: valueEnd))
        currentType = type
        valueStart = offset
        valueEnd = -1
        return ValueSlotDecoder(state: self, offset: offset, depth: path.count, elementType: elementType)
    }

    private func leaveValue() {
        let outer = outerValues.removeLast()
        currentType = outer.type
        valueStart = outer.start
        valueEnd = outer.end
        if path.count > outer.pathCount {
            path.removeSubrange(outer.pathCount...)
        }
    }

    /// Where the value just decoded by `init(from:)` ends: reported by its container if it
    /// consumed the value fully, else found by skipping it.
    private func endOfValue(_ type: Any.Type, at offset: Int, elementType: NumericDType?) throws -> Int {
        if let elementType {
            return offset + elementType.byteWidth
        }
        if valueEnd >= 0 {
            return valueEnd
        }
        do {
            return try reader.skipValue(at: offset)
        } catch {
            throw error.decodingError(expected: type, codingPath: path)
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
    func detachedDecoder(at offset: Int, elementType: NumericDType?, anchor: ValueCodingPathAnchor, key: any CodingKey) -> ValueSlotDecoder {
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

    func codingPath(_ anchor: ValueCodingPathAnchor, appending key: ValueEntryKey) -> [any CodingKey] {
        guard let key = key() else { return codingPath(anchor) }
        return codingPath(anchor) + [key]
    }

    /// Makes the key stack `anchor`'s path plus `key`; returns the count to truncate back to.
    private func enterPath(_ anchor: ValueCodingPathAnchor, _ key: (any CodingKey)?) -> Int {
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
