/// Identifies one driver program's job within a cluster; assigned by the control store.
public struct JobID: Hashable, Sendable, CustomStringConvertible {
    public var value: UInt32
    public init(_ value: UInt32) { self.value = value }
    public var description: String { HexFormat.hex(value) }
}
