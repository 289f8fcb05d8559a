/// Identifies one task. A task ID is derived from the ID of the task that submitted it and that
/// parent's submission counter, so a program that submits the same tasks in the same order gets
/// the same IDs (the seed's `object_id_seed`).
public struct TaskID: Hashable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Both halves in one word, for hashing.
    var foldedBits: UInt64 { high ^ (low &* 0x9E37_79B9_7F4A_7C15) }

    /// One word into the hasher instead of two (see `ObjectID.hash(into:)`).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(foldedBits)
    }

    /// The root task of a driver: derived from the job and, when given, the user's seed.
    public static func driverRoot(job: JobID, seed: UInt64?) -> TaskID {
        let base = seed ?? UInt64.random(in: .min ... .max)
        return TaskID(high: IDMixer.mix(base, UInt64(job.value)), low: IDMixer.mix(~base, 0x5241_595F_524F_4F54))
    }

    /// The ID of the `counter`-th task submitted by `self`.
    public func child(_ counter: UInt64) -> TaskID {
        TaskID(high: IDMixer.mix(high, counter), low: IDMixer.mix(low ^ 0x9E37_79B9_7F4A_7C15, counter))
    }

    public static let byteCount = 16
    public static let nil_ = TaskID(high: 0, low: 0)

    public var hex: String { HexFormat.hex(high) + HexFormat.hex(low) }
    public var description: String { hex }
}
