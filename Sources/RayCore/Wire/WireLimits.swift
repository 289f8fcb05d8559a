/// The largest counts and sizes a frame may carry. The decoder checks each as it reads the field,
/// so a corrupt or hostile frame is refused before anything is allocated for it or a service acts
/// on it (a 60-byte `submitTask` must not make the raylet build four billion return IDs).
/// docs/ARCHITECTURE.md lists them with the reasons for their values.
public enum WireLimits {
    /// Objects one task returns. The API makes 1 (`Returns2` and `Returns3`: 2 and 3, a custom
    /// `MultipleReturnValues` as many as its `count`); the raylet keeps an ID for each return of
    /// each task, so this bounds what one `submitTask` costs it.
    public static let maxReturnCount = 1_024

    /// Sizes and offsets of objects in a node's arena, and arena capacities: 2^48 bytes (256 TiB),
    /// more than any machine's memory, and far enough from `Int.max` that `offset + size` cannot
    /// overflow. On the wire these are u64, which also keeps them from being negative.
    public static let maxArenaBytes = 1 << 48

    /// GPU IDs are indices below this, and a task holds at most this many.
    public static let maxGPUs = 1_024

    /// Resource quantities (what a task asks for, what a node has): 2^53, the largest integer a
    /// `Double` holds exactly, enough for a custom resource counted in bytes. Also finite and
    /// not negative.
    public static let maxResourceQuantity: Double = 0x1p53

    /// Shipped programs (docs/ARCHITECTURE.md, "Programs on every node"): at most 4 GiB each. A
    /// statically linked Swift program is tens of MB; this bounds what one upload may claim.
    public static let maxExecutableBytes = 1 << 32

    /// A piece of a shipped program in one frame: senders use `executableChunkBytes` (8 MiB);
    /// up to 64 MiB is accepted (frames may be 1 GiB).
    public static let maxExecutableChunkBytes = 64 << 20

    /// The piece size the driver uploads and a raylet fetches a program in.
    public static let executableChunkBytes = 8 << 20
}
