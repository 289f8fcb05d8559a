/// Identifies one node (one raylet) of a cluster.
public struct NodeID: Hashable, Sendable, CustomStringConvertible {
    public var value: UInt64
    public init(_ value: UInt64) { self.value = value }
    public static func random() -> NodeID { NodeID(.random(in: 1 ... .max)) }
    public var description: String { HexFormat.hex(value) }
}
