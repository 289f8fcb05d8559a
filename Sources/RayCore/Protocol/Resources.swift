/// Quantities of named resources: what a node has, or what a task needs while it runs.
/// "CPU" and "GPU" are the built-in names; any other name is a custom resource.
public struct Resources: Hashable, Sendable, CustomStringConvertible {
    public static let cpu = "CPU"
    public static let gpu = "GPU"

    /// Zero quantities are dropped, so two equal requests compare equal.
    public private(set) var quantities: [String: Double]
    /// Whether `cpus` was left out: a task's request then gets one CPU, as in Ray, where
    /// `num_gpus=1` keeps the default `num_cpus=1` (see `defaultingCPUs(to:)`).
    public private(set) var cpusUnspecified = false

    /// - Parameter cpus: nil leaves the CPUs to the default of what the request is for: one for
    ///   a task, none for an actor's life, none for a node's total.
    public init(cpus: Double? = nil, gpus: Double = 0, custom: [String: Double] = [:]) {
        quantities = [:]
        self[Self.cpu] = cpus ?? 0
        self[Self.gpu] = gpus
        for (name, amount) in custom { self[name] = amount }
        cpusUnspecified = cpus == nil
    }

    public init(quantities: [String: Double]) {
        self.quantities = quantities.filter { $0.value > 0 }
    }

    /// This request with `cpus` CPUs when it left them out.
    public func defaultingCPUs(to cpus: Double) -> Resources {
        guard cpusUnspecified else { return self }
        var request = self
        request[Self.cpu] = cpus
        request.cpusUnspecified = false
        return request
    }

    /// Two requests are equal when they ask for the same quantities, however they were written.
    public static func == (lhs: Resources, rhs: Resources) -> Bool { lhs.quantities == rhs.quantities }

    public func hash(into hasher: inout Hasher) { hasher.combine(quantities) }

    public subscript(name: String) -> Double {
        get { quantities[name] ?? 0 }
        set { quantities[name] = newValue != 0 ? newValue : nil }
    }

    public var cpus: Double { self[Self.cpu] }
    public var gpus: Double { self[Self.gpu] }

    /// True when every quantity in `request` is available here.
    public func covers(_ request: Resources) -> Bool {
        request.quantities.allSatisfy { self[$0.key] + 1e-9 >= $0.value }
    }

    public mutating func subtract(_ other: Resources) {
        for (name, amount) in other.quantities { self[name] -= amount }
    }

    public mutating func add(_ other: Resources) {
        for (name, amount) in other.quantities { self[name] += amount }
    }

    /// Each quantity no larger than `limit`'s.
    public func clamped(to limit: Resources) -> Resources {
        Resources(quantities: quantities.reduce(into: [:]) { result, entry in result[entry.key] = min(entry.value, limit[entry.key]) })
    }

    public var description: String {
        let parts = quantities.sorted { $0.key < $1.key }.map { "\($0.key): \(Self.format($0.value))" }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    /// Whole numbers without a fraction; those beyond 2^53 (and `Int`) as doubles.
    private static func format(_ v: Double) -> String {
        v == v.rounded() && v.magnitude <= 0x1p53 ? String(Int(v)) : String(v)
    }
}

extension Resources {
    public func write(to w: inout WireWriter) {
        let sorted = quantities.sorted { $0.key < $1.key }
        w.array(sorted) { w, entry in
            w.string(entry.key)
            w.f64(entry.value)
        }
    }

    public static func read(from r: inout WireReader) throws(WireError) -> Resources {
        // Each entry is at least a string length and a double.
        let entries = try r.array(itemBytes: 12) { r throws(WireError) in (try r.string(), try r.f64()) }
        var quantities = [String: Double]()
        for (name, amount) in entries {
            guard amount >= 0, amount <= WireLimits.maxResourceQuantity else {
                throw WireError.invalid("resource \(name) = \(amount) is outside 0...\(Int(WireLimits.maxResourceQuantity))")
            }
            quantities[name] = amount
        }
        return Resources(quantities: quantities)
    }
}
