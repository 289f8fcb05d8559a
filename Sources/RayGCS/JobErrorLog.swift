import RayCore

/// The latest errors of one job, at most `capacity` of them, and how many older ones were dropped
/// to stay within it. A ring: appending to a full log overwrites the oldest record in place.
struct JobErrorLog {
    let capacity: Int
    private var ring: [ErrorRecord] = []
    /// Where the oldest record is once the ring is full (0 until then).
    private var oldest = 0
    /// How many records were dropped, oldest first, to keep `capacity`.
    private(set) var dropped = 0

    init(capacity: Int) {
        precondition(capacity > 0, "a job's error log must keep at least one error")
        self.capacity = capacity
    }

    var count: Int { ring.count }

    mutating func append(_ record: ErrorRecord) {
        if ring.count < capacity {
            // Grow by doubling, but never past the capacity.
            if ring.count == ring.capacity { ring.reserveCapacity(min(capacity, max(16, 2 * ring.count))) }
            ring.append(record)
            return
        }
        ring[oldest] = record
        oldest = oldest + 1 == capacity ? 0 : oldest + 1
        dropped += 1
    }

    /// The kept records, oldest first.
    var records: [ErrorRecord] {
        var records = [ErrorRecord]()
        records.reserveCapacity(ring.count)
        records.append(contentsOf: ring[oldest...])
        records.append(contentsOf: ring[..<oldest])
        return records
    }
}
