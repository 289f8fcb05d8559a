/// The cluster's small key-value table (Ray's internal KV): configuration and small shared facts
/// that programs and tools put and read by name. Bounded, so no client can grow the control
/// store without limit: keys up to 1 KiB, values up to 1 MiB, 64 MiB in all.
struct KeyValueTable {
    static let maxKeyBytes = 1 << 10
    static let maxValueBytes = 1 << 20
    static let maxTotalBytes = 64 << 20

    private var entries: [String: [UInt8]] = [:]
    private(set) var totalBytes = 0

    subscript(key: String) -> [UInt8]? { entries[key] }

    /// Stores or (with nil) deletes; returns why not when the limits refuse it.
    mutating func put(_ key: String, _ value: [UInt8]?) -> String? {
        let keyBytes = key.utf8.count
        guard keyBytes <= Self.maxKeyBytes else { return "a key may have at most \(Self.maxKeyBytes) bytes, not \(keyBytes)" }
        let old = entries[key].map { keyBytes + $0.count } ?? 0
        guard let value else {
            entries[key] = nil
            totalBytes -= old
            return nil
        }
        guard value.count <= Self.maxValueBytes else { return "a value may have at most \(Self.maxValueBytes) bytes, not \(value.count)" }
        let new = keyBytes + value.count
        guard totalBytes - old + new <= Self.maxTotalBytes else {
            return "the key-value table is full (\(Self.maxTotalBytes) bytes of keys and values)"
        }
        entries[key] = value
        totalBytes += new - old
        return nil
    }
}
