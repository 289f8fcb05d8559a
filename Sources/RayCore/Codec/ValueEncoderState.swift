/// What every encoder and container of one `ValueEncoder.encode` call shares: the output buffer,
/// the containers still open, and the object IDs written so far.
///
/// Values stream into a single buffer, so containers must be filled in the order they appear in
/// the output. A container is finished (its count patched in) as soon as its parent starts its
/// next entry or its value's `encode(to:)` returns; writing to it afterwards throws. Synthesized
/// and ordinary hand-written `Codable` conformances always work in that order.
///
/// The mutable properties opt out of dynamic exclusivity checks, which cost a fifth of the
/// encoding time: one encode call uses its state on one thread, and no access to a property
/// overlaps another access to it.
final class ValueEncoderState {
    /// An open map or array.
    struct Frame {
        /// Offset of the 32-bit header whose count is patched when the frame closes; it also
        /// identifies the frame, as no two containers start at the same offset.
        let header: Int
        let isMap: Bool
        var count = 0
        /// The key of the map entry being written, stored only when the entry's value is nested
        /// (for `codingPath`), since a dictionary's keys cost an allocation to store.
        var key: (any CodingKey)?
        /// Where the value of a `superEncoder()` entry starts: the caller may write it at any time
        /// before the next entry, or never, in which case it becomes an empty map.
        var pendingSlot: Int?
    }

    typealias Misuse = (message: String, codingPath: [any CodingKey])

    @exclusivity(unchecked) var writer = MessagePackWriter(capacity: 256)
    @exclusivity(unchecked) private(set) var objectIDs: [ObjectID] = []
    private let maxDepth: Int
    /// How many `encode(to:)` calls are running; bounded so that cycles fail before the stack does.
    @exclusivity(unchecked) private var depth = 0
    @exclusivity(unchecked) private var frames: [Frame] = []
    /// The type whose `encode(to:)` is running, for error messages.
    @exclusivity(unchecked) private var currentType: Any.Type = Void.self
    /// The last type found to need its `encode(to:)`, so that the elements of an array of
    /// structs skip the two conformance lookups of `writeDirectly`.
    @exclusivity(unchecked) private var lastNestedType: ObjectIdentifier?
    /// A misuse noticed by a method that cannot throw (such as `container(keyedBy:)`); the next
    /// throwing call, or the end of the value's `encode(to:)`, throws it.
    @exclusivity(unchecked) private var misuse: Misuse?

    init(maxDepth: Int) {
        self.maxDepth = maxDepth
    }

    /// Encodes `value` as the value in slot depth `slotDepth`: the entry of frame
    /// `slotDepth - 1` named by `key`, or that frame's next element, or a single value.
    ///
    /// Nested values recurse through here, so the frame is kept small (casts, bookkeeping and
    /// error building live in other functions): a cycle must hit `maxDepth` before a 512 KB
    /// thread stack runs out, even in a debug build.
    func encode<T: Encodable>(_ value: T, slotDepth: Int, key: ValueEntryKey) throws {
        if try writeDirectly(value, slotDepth: slotDepth, key: key) {
            return
        }
        guard depth < maxDepth else { throw depthExceeded(value, slotDepth: slotDepth, key: key) }
        let start = writer.count
        let outerType = enterValue(T.self, slotDepth: slotDepth, key: key)
        defer { leaveValue(outerType) }
        try value.encode(to: ValueSlotEncoder(state: self, depth: slotDepth, start: start))
        try finishValue(value, slotDepth: slotDepth, start: start)
    }

    /// Writes scalars and numeric arrays; false for anything that needs its `encode(to:)`.
    private func writeDirectly<T: Encodable>(_ value: T, slotDepth: Int, key: ValueEntryKey) throws -> Bool {
        if lastNestedType == ObjectIdentifier(T.self) {
            return false
        }
        if let scalar = value as? any MessagePackScalar {
            try writeScalar(scalar, slotDepth: slotDepth, key: key)
            return true
        }
        if let array = value as? any BulkNumericArray {
            try array.withLittleEndianBytes { elements in
                do throws(MessagePackWriter.LengthOverflow) {
                    try writer.writeNumericArray(type(of: array).elementDType, elements: elements)
                } catch {
                    throw tooLong(value, length: error.length, codingPath: codingPath(depth: slotDepth, key: key))
                }
            }
            return true
        }
        lastNestedType = ObjectIdentifier(T.self)
        return false
    }

    /// Writes the scalar entry `key` of map frame `index`. Containers call this from their
    /// typed overloads, where the scalar type is known, so no dynamic cast is needed.
    func encodeScalar<S: MessagePackScalar, K: CodingKey>(_ value: S, frame index: Int, header: Int, key: K) throws {
        try beginEntry(frame: index, header: header, key: key, value: value)
        try writeScalar(value, slotDepth: index + 1, key: { key })
    }

    /// Writes the next scalar element of array frame `index`.
    func encodeScalar<S: MessagePackScalar>(_ value: S, frame index: Int, header: Int) throws {
        try beginEntry(frame: index, header: header, value: value)
        try writeScalar(value, slotDepth: index + 1, key: { nil })
    }

    /// Writes a scalar as the single value of the slot starting at `start`.
    func encodeScalar<S: MessagePackScalar>(_ value: S, start: Int, depth: Int) throws {
        try beginSingleValue(start: start, depth: depth, value: value)
        try writeScalar(value, slotDepth: depth, key: { nil })
    }

    private func writeScalar<S: MessagePackScalar>(_ value: S, slotDepth: Int, key: ValueEntryKey) throws {
        do {
            try value.write(to: &writer)
        } catch {
            throw tooLong(value, length: error.length, codingPath: codingPath(depth: slotDepth, key: key))
        }
    }

    /// Records the nested value `encode` is about to encode; returns the type to restore afterwards.
    private func enterValue(_ type: Any.Type, slotDepth: Int, key: ValueEntryKey) -> Any.Type {
        if let key = key() {
            frames[slotDepth - 1].key = key
        }
        let outerType = currentType
        currentType = type
        depth += 1
        return outerType
    }

    private func leaveValue(_ outerType: Any.Type) {
        depth -= 1
        currentType = outerType
    }

    /// Throws a misuse the value's `encode(to:)` left behind, closes its containers, and writes
    /// an empty map if it wrote nothing.
    private func finishValue<T>(_ value: T, slotDepth: Int, start: Int) throws {
        if let misuse {
            throw misuseError(value, misuse)
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
                let kinds = isMap ? ("a keyed", "an unkeyed") : ("an unkeyed", "a keyed")
                noteMisuse("asked for \(kinds.0) container after \(kinds.1) one for the same value", depth: slotDepth)
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

    /// Starts the next element of array frame `index`; throws if the container is finished.
    /// `value` is only evaluated for the error.
    func beginEntry(frame index: Int, header: Int, value: @autoclosure () -> Any) throws {
        if let misuse {
            throw misuseError(value(), misuse)
        }
        if let problem = startEntry(frame: index, header: header) {
            throw EncodingError.invalidValue(value(), .init(codingPath: codingPath(depth: index), debugDescription: described(problem)))
        }
    }

    /// Starts the entry `key` of map frame `index`; throws if the container is finished.
    /// `value` is only evaluated for the error.
    func beginEntry<K: CodingKey>(frame index: Int, header: Int, key: K, value: @autoclosure () -> Any) throws {
        if let misuse {
            throw misuseError(value(), misuse)
        }
        if let problem = startEntry(frame: index, header: header) ?? writeKey(key.stringValue) {
            throw EncodingError.invalidValue(value(), .init(codingPath: codingPath(depth: index) + [key], debugDescription: described(problem)))
        }
    }

    /// Throws unless the single value container of the slot starting at `start` is still empty.
    func beginSingleValue(start: Int, depth: Int, value: @autoclosure () -> Any) throws {
        if let misuse {
            throw misuseError(value(), misuse)
        }
        guard writer.count == start else {
            let message = "a single value container already holds a value, or its parent container was finished, while encoding \(currentType)"
            throw EncodingError.invalidValue(value(), .init(codingPath: codingPath(depth: depth), debugDescription: message))
        }
    }

    /// Starts an entry of frame `index` (named `key` in a map) holding a new container, for
    /// `nestedContainer` calls.
    func openNestedContainer(in index: Int, header: Int, key: (any CodingKey)?, isMap: Bool) -> Int {
        guard misuse == nil else { return -1 }
        if let problem = startEntry(frame: index, header: header) ?? key.flatMap({ writeKey($0.stringValue) }) {
            noteMisuse(problem, depth: index)
            return -1
        }
        frames[index].key = key
        return openContainer(slotDepth: index + 1, start: writer.count, isMap: isMap)
    }

    /// Starts an entry of frame `index` (named `key` in a map) whose value the returned encoder
    /// writes later.
    func superEncoder(in index: Int, header: Int, key: (any CodingKey)?) -> ValueSlotEncoder {
        if misuse == nil {
            if let problem = startEntry(frame: index, header: header) ?? key.flatMap({ writeKey($0.stringValue) }) {
                noteMisuse(problem, depth: index)
            } else {
                frames[index].key = key
                frames[index].pendingSlot = writer.count
            }
        }
        return ValueSlotEncoder(state: self, depth: index + 1, start: writer.count)
    }

    /// The number of entries written to frame `index` so far.
    func entryCount(frame index: Int, header: Int) -> Int {
        index < frames.count && frames[index].header == header ? frames[index].count : 0
    }

    /// Validates the frame, finishes what was nested in its previous entry and counts the new
    /// entry; returns what was wrong instead.
    private func startEntry(frame index: Int, header: Int) -> String? {
        guard index >= 0, index < frames.count, frames[index].header == header else {
            return "a container was written to after it was finished (containers must be filled in the order they appear)"
        }
        if frames.count > index + 1 {
            closeFrames(from: index + 1)
        }
        if frames[index].pendingSlot != nil {
            fillPendingSlot(of: index)
        }
        guard frames[index].count < Int(UInt32.max) else {
            return "a container has more than \(UInt32.max) entries"
        }
        frames[index].count += 1
        return nil
    }

    /// Writes a map key; returns what was wrong instead.
    private func writeKey(_ key: String) -> String? {
        do {
            try writer.writeString(key)
            return nil
        } catch {
            return "a key is \(error.length) bytes long, more than MessagePack allows"
        }
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
    private func codingPath(depth: Int, key: ValueEntryKey) -> [any CodingKey] {
        guard let key = key() else { return codingPath(depth: depth) }
        return codingPath(depth: depth - 1) + [key]
    }

    private func depthExceeded<T>(_ value: T, slotDepth: Int, key: ValueEntryKey) -> EncodingError {
        let message = "This object exceeds the maximum recursion depth (\(maxDepth)) while encoding \(T.self). It may contain itself recursively."
        return EncodingError.invalidValue(value, .init(codingPath: codingPath(depth: slotDepth, key: key), debugDescription: message))
    }

    private func misuseError<T>(_ value: T, _ misuse: Misuse) -> EncodingError {
        EncodingError.invalidValue(value, .init(codingPath: misuse.codingPath, debugDescription: misuse.message))
    }

    private func noteMisuse(_ problem: String, depth: Int) {
        if misuse == nil {
            misuse = (described(problem), codingPath(depth: depth))
        }
    }

    private func described(_ problem: String) -> String {
        "\(problem) while encoding \(currentType)"
    }

    private func tooLong(_ value: Any, length: Int, codingPath: [any CodingKey]) -> EncodingError {
        let message = "\(type(of: value)) needs \(length) bytes, more than MessagePack's 32-bit lengths allow"
        return EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: message))
    }
}
