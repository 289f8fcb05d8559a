/// The entries of one MessagePack map, found with a single scan when a keyed container is
/// created, so fields can then be decoded in any order. Stored in one allocation.
final class ValueMapIndex: ManagedBuffer<ValueMapIndex.Header, ValueMapIndex.Entry> {
    struct Header {
        var count: Int
        /// The offset just past the map.
        var end: Int
        /// The entry of the last successful lookup: fields are mostly read in the order they
        /// were written, and `decodeIfPresent` looks the same key up several times.
        var hint: Int
    }

    struct Entry {
        /// The UTF-8 bytes of the key.
        let key: Range<Int>
        let value: Int
    }

    /// Indexes the `count` entries starting at `firstEntry`; every key must be a string.
    static func build(reader: MessagePackReader, count: Int, firstEntry: Int) throws(MessagePackReadError) -> ValueMapIndex {
        let index = unsafeDowncast(create(minimumCapacity: count) { _ in Header(count: 0, end: firstEntry, hint: 0) }, to: ValueMapIndex.self)
        var cursor = firstEntry
        for slot in 0..<count {
            let (key, valueOffset) = try reader.header(at: cursor)
            guard case .string(let range) = key else {
                throw .mismatch(expected: "a string map key", found: key.kindDescription, at: cursor)
            }
            cursor = try reader.skipValue(at: valueOffset)
            index.withUnsafeMutablePointerToElements { ($0 + slot).initialize(to: Entry(key: range, value: valueOffset)) }
        }
        index.header = Header(count: count, end: cursor, hint: 0)
        return index
    }

    var end: Int { header.end }

    /// The offset of the value for `key`, or nil if the map has no such key.
    func valueOffset(forKey key: String, in reader: MessagePackReader) -> Int? {
        withUnsafeMutablePointers { header, entries in
            let count = header.pointee.count
            var position = header.pointee.hint
            for _ in 0..<count {
                if reader.bytes(in: entries[position].key, equal: key) {
                    header.pointee.hint = position
                    return entries[position].value
                }
                position = position + 1 == count ? 0 : position + 1
            }
            return nil
        }
    }

    /// The keys in map order, leaving out any that are not valid UTF-8 (no Swift key can match them).
    func keys(in reader: MessagePackReader) -> [String] {
        withUnsafeMutablePointers { header, entries in
            (0..<header.pointee.count).compactMap { try? reader.string(in: entries[$0].key, at: entries[$0].key.lowerBound) }
        }
    }
}
