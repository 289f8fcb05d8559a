/// What every encoder and container of one `ValueEncoder.encode` call shares: the output buffer,
/// the containers still open, and the object IDs written so far.
///
/// Values stream into a single buffer, so containers must be filled in the order they appear in
/// the output. A container is finished (its count patched in) as soon as its parent starts its
/// next entry or its value's `encode(to:)` returns; writing to it afterwards throws. Synthesized
/// and ordinary hand-written `Codable` conformances always work in that order.
final class ValueEncoderState {
    /// An open map or array.
    struct Frame {
        /// Offset of the 32-bit header whose count is patched when the frame closes; it also
        /// identifies the frame, as no two containers start at the same offset.
        let header: Int
        let isMap: Bool
        var count = 0
        /// The key of the map entry being written, stored only when the entry's value is nested
        /// (for `codingPath`), since keys of dictionaries cost an allocation to store.
        var key: (any CodingKey)?
        /// Where the value of a `superEncoder()` entry starts: the caller may write it at any time
        /// before the next entry, or never, in which case it becomes an empty map.
        var pendingSlot: Int?
    }

    var writer = MessagePackWriter(capacity: 256)
    private(set) var objectIDs: [ObjectID] = []
    private let maxDepth: Int
    /// How many `encode(to:)` calls are running; bounded so that cycles fail before the stack does.
    private var depth = 0
    private var frames: [Frame] = []
    /// The type whose `encode(to:)` is running, for error messages.
    private var currentType: Any.Type = Void.self
    /// A misuse noticed by a method that cannot throw (such as `container(keyedBy:)`); the next
    /// throwing call, or the end of the value's `encode(to:)`, throws it.
    private var misuse: (message: String, codingPath: [any CodingKey])?

    init(maxDepth: Int) {
        self.maxDepth = maxDepth
    }

    /// Encodes `value` as the value in slot depth `slotDepth` (the entry of frame `slotDepth - 1`
    /// named `key`, or the next element when `key` is nil).
    func encode<T: Encodable, K: CodingKey>(_ value: T, slotDepth: Int, key: K?) throws {
        if let scalar = value as? any MessagePackScalar {
            do {
                try scalar.write(to: &writer)
            } catch {
                throw tooLong(value, length: error.length, codingPath: codingPath(depth: slotDepth, key: key))
            }
        } else if let array = value as? any BulkNumericArray {
            try array.withLittleEndianBytes { elements in
                do throws(MessagePackWriter.LengthOverflow) {
                    try writer.writeNumericArray(type(of: array).elementDType, elements: elements)
                } catch {
                    throw tooLong(value, length: error.length, codingPath: codingPath(depth: slotDepth, key: key))
                }
            }
        } else {
            try encodeNested(value, slotDepth: slotDepth, key: key)
        }
    }

    private func encodeNested<T: Encodable, K: CodingKey>(_ value: T, slotDepth: Int, key: K?) throws {
        guard depth < maxDepth else {
            let message = "This object exceeds the maximum recursion depth (\(maxDepth)) while encoding \(T.self). It may contain itself recursively."
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath(depth: slotDepth, key: key), debugDescription: message))
        }
        if let key {
            frames[slotDepth - 1].key = key
        }
        let start = writer.count
        let outerType = currentType
        currentType = T.self
        depth += 1
        defer {
            depth -= 1
            currentType = outerType
        }
        try value.encode(to: ValueSlotEncoder(state: self, depth: slotDepth, start: start))
        if let misuse {
            throw EncodingError.invalidValue(value, .init(codingPath: misuse.codingPath, debugDescription: misuse.message))
        }
        closeFrames(from: slotDepth)
        if writer.count == start {
            writer.writeEmptyMap()
        }
    }

    func writeObjectID(_ id: ObjectID) {
        writer.writeObjectID(id)
        objectIDs.append(id)
    }

    // MARK: Containers

    /// Opens the map or array for the value in slot `slotDepth` starting at `start`, and returns
    /// its header offset, or -1 after noting a misuse. Asking again for the same kind returns
    /// the same container, as when a subclass and its superclass both ask for one.
    func openContainer(slotDepth: Int, start: Int, isMap: Bool) -> Int {
        if slotDepth < frames.count, frames[slotDepth].header == start {
            guard frames[slotDepth].isMap == isMap else {
                noteMisuse("asked for \(isMap ? "a keyed" : "an unkeyed") container after \(isMap ? "an unkeyed" : "a keyed") one for the same value", depth: slotDepth)
                return -1
            }
            closeFrames(from: slotDepth + 1)
            return start
        }
        guard misuse == nil, writer.count == start, frames.count == slotDepth else {
            noteMisuse("asked for a container after the value was already encoded or its parent container was finished", depth: slotDepth)
            return -1
        }
        let header = writer.reserveContainerHeader(isMap: isMap)
        frames.append(Frame(header: header, isMap: isMap))
        return header
    }

    /// Starts the next entry of frame `index`, writing `key` for maps; throws if the container
    /// is finished. `value` is only evaluated for the error.
    func beginEntry<K: CodingKey>(frame index: Int, header: Int, key: K?, value: @autoclosure () -> Any) throws {
        if let misuse {
            throw EncodingError.invalidValue(value(), .init(codingPath: misuse.codingPath, debugDescription: misuse.message))
        }
        if let problem = startEntry(frame: index, header: header, key: key) {
            throw EncodingError.invalidValue(value(), .init(codingPath: codingPath(depth: index), debugDescription: "\(problem) while encoding \(currentType)"))
        }
    }

    /// Throws unless the single value container of the slot starting at `start` is still empty.
    func beginSingleValue(start: Int, depth: Int, value: @autoclosure () -> Any) throws {
        if let misuse {
            throw EncodingError.invalidValue(value(), .init(codingPath: misuse.codingPath, debugDescription: misuse.message))
        }
        guard writer.count == start else {
            let message = "a single value container already holds a value, or its parent container was finished, while encoding \(currentType)"
            throw EncodingError.invalidValue(value(), .init(codingPath: codingPath(depth: depth), debugDescription: message))
        }
    }

    /// Starts an entry of frame `index` holding a new container, for `nestedContainer` calls.
    func openNestedContainer<K: CodingKey>(in index: Int, header: Int, key: K?, isMap: Bool) -> Int {
        guard misuse == nil else { return -1 }
        if let problem = startEntry(frame: index, header: header, key: key) {
            noteMisuse(problem, depth: index)
            return -1
        }
        if let key {
            frames[index].key = key
        }
        return openContainer(slotDepth: index + 1, start: writer.count, isMap: isMap)
    }

    /// Starts an entry of frame `index` whose value the returned encoder writes later.
    func superEncoder<K: CodingKey>(in index: Int, header: Int, key: K?) -> ValueSlotEncoder {
        if misuse == nil {
            if let problem = startEntry(frame: index, header: header, key: key) {
                noteMisuse(problem, depth: index)
            } else {
                if let key {
                    frames[index].key = key
                }
                frames[index].pendingSlot = writer.count
            }
        }
        return ValueSlotEncoder(state: self, depth: index + 1, start: writer.count)
    }

    /// The number of entries written to frame `index` so far.
    func entryCount(frame index: Int, header: Int) -> Int {
        index < frames.count && frames[index].header == header ? frames[index].count : 0
    }

    /// Validates the frame, finishes what was nested in its previous entry, counts the new entry
    /// and writes its key; returns what was wrong instead.
    private func startEntry<K: CodingKey>(frame index: Int, header: Int, key: K?) -> String? {
        guard index >= 0, index < frames.count, frames[index].header == header else {
            return "a container was written to after it was finished (containers must be filled in the order they appear)"
        }
        closeFrames(from: index + 1)
        fillPendingSlot(of: index)
        guard frames[index].count < Int(UInt32.max) else {
            return "a container has more than \(UInt32.max) entries"
        }
        frames[index].count += 1
        if let key {
            do {
                try writer.writeString(key.stringValue)
            } catch {
                return "a key is \(error.length) bytes long, more than MessagePack allows"
            }
        }
        return nil
    }

    private func closeFrames(from index: Int) {
        while frames.count > index {
            fillPendingSlot(of: frames.count - 1)
            let frame = frames.removeLast()
            writer.patchContainerCount(at: frame.header, count: frame.count)
        }
    }

    private func fillPendingSlot(of index: Int) {
        guard let slot = frames[index].pendingSlot else { return }
        if writer.count == slot {
            writer.writeEmptyMap()
        }
        frames[index].pendingSlot = nil
    }

    // MARK: Errors

    /// The coding path of the value in slot `depth`: the keys of the frames around it.
    func codingPath(depth: Int) -> [any CodingKey] {
        frames.prefix(depth).compactMap { frame in frame.isMap ? frame.key : ValueCodingKey.index(frame.count - 1) }
    }

    /// The coding path of a value about to be written in slot `depth` under `key` (or as the
    /// next element), before the frame has recorded that key.
    private func codingPath<K: CodingKey>(depth: Int, key: K?) -> [any CodingKey] {
        guard let key else { return codingPath(depth: depth) }
        return codingPath(depth: depth - 1) + [key]
    }

    private func noteMisuse(_ problem: String, depth: Int) {
        if misuse == nil {
            misuse = ("\(problem) while encoding \(currentType)", codingPath(depth: depth))
        }
    }

    private func tooLong(_ value: Any, length: Int, codingPath: [any CodingKey]) -> EncodingError {
        let message = "\(type(of: value)) needs \(length) bytes, more than MessagePack's 32-bit lengths allow"
        return EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: message))
    }
}
