/// Comparing secrets, and proofs made from them, in time independent of where the bytes differ,
/// so a peer cannot guess them byte by byte from how fast it is refused.
enum ConstantTime {
    static func equal(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
