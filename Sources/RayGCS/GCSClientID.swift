/// A client of the control store (a driver, a worker or a raylet) as its tables name it: the
/// server gives each connection one and keeps the connection behind it.
struct GCSClientID: Hashable, Comparable, Sendable, CustomStringConvertible {
    var value: Int

    init(_ value: Int) { self.value = value }

    static func < (a: GCSClientID, b: GCSClientID) -> Bool { a.value < b.value }

    var description: String { "client \(value)" }
}
