import RayExamplesKit

// How fast the kit's matrix products run on this machine, single-threaded, in GFLOP/s, for the
// shapes the examples use (a batch of 32 to 4,800 rows through layers of 64) and a square one.
//   swift run -c release --package-path Examples kit-benchmark

func measure(_ name: String, m: Int, k: Int, n: Int, _ kernel: (UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>, UnsafeMutableBufferPointer<Float>) -> Void) {
    var generator = SeededGenerator(seed: 1)
    let a = (0..<m * k).map { _ in generator.normal() }, b = (0..<k * n).map { _ in generator.normal() }
    var c = [Float](repeating: 0, count: max(m * n, k * n, m * k))
    let clock = ContinuousClock()
    var repetitions = 0
    let start = clock.now
    repeat {
        a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in c.withUnsafeMutableBufferPointer { kernel(a, b, $0) } } }
        repetitions += 1
    } while clock.now - start < .milliseconds(500)
    let seconds = (clock.now - start).seconds
    let flops = 2.0 * Double(m * k * n) * Double(repetitions)
    print("\(name) \(m)×\(k)×\(n): \(String(format: "%.2f", flops / seconds / 1e9)) GFLOP/s")
}

for (m, k, n) in [(32, 64, 64), (4800, 64, 64), (4800, 8, 64), (256, 256, 256)] {
    measure("multiply", m: m, k: k, n: n) { LinearAlgebra.multiply($0, $1, into: $2, m: m, k: k, n: n) }
    measure("multiplyTransposedA", m: m, k: k, n: n) { LinearAlgebra.multiplyTransposedA($0, $1, into: $2, m: m, k: k, n: n) }
    measure("multiplyTransposedB", m: m, k: n, n: k) { LinearAlgebra.multiplyTransposedB($0, $1, into: $2, m: m, n: k, k: n) }
}
