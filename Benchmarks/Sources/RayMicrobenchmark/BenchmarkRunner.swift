import Foundation

/// Measures like Ray's `timeit` (ray_microbenchmark_helpers.py): run the body for a warm-up
/// period, then take four samples of repeated runs and report operations per second as mean and
/// standard deviation. `quick` shortens the periods for smoke runs.
@MainActor
final class BenchmarkRunner {
    struct Result: Codable {
        var name: String
        var value: Double
        var spread: Double
        var unit: String
        /// Why a line has no figure (it failed), when it has none.
        var note: String? = nil
    }

    let quick: Bool
    let filter: String?
    private(set) var results: [Result] = []

    init(quick: Bool, filter: String?) {
        self.quick = quick
        self.filter = filter
    }

    /// A line or group is wanted when its name contains the filter, or when the filter names one
    /// of its lines (so `--filter "1:1 actor calls async"` also sets up the "1:1 actor calls" group).
    func wants(_ name: String) -> Bool { filter.map { name.contains($0) || $0.hasPrefix(name) } ?? true }

    func timeit(_ name: String, multiplier: Double = 1, _ body: () async throws -> Void) async throws {
        guard wants(name) else { return }
        let clock = ContinuousClock()
        let warmup: Duration = quick ? .milliseconds(200) : .seconds(1)
        let sample: Duration = quick ? .milliseconds(500) : .seconds(2)
        var start = clock.now
        var count = 0
        while clock.now - start < warmup {
            try await body()
            count += 1
        }
        let step = count / 10 + 1
        var rates: [Double] = []
        for _ in 0..<4 {
            start = clock.now
            count = 0
            while clock.now - start < sample {
                for _ in 0..<step { try await body() }
                count += step
            }
            rates.append(multiplier * Double(count) / (clock.now - start).seconds)
        }
        record(name, rates, unit: "per second")
    }

    /// Records samples of a quantity measured some other way (ms, MB, GB/s).
    func record(_ name: String, _ samples: [Double], unit: String) {
        let mean = samples.reduce(0, +) / Double(samples.count)
        let variance = samples.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(samples.count)
        let result = Result(name: name, value: mean, spread: variance.squareRoot(), unit: unit)
        results.append(result)
        print("\(name) \(unit) \(Self.format(mean)) +- \(Self.format(result.spread))")
        fflush(nil)
    }

    /// Records samples with their median as the value (and the standard deviation as the spread):
    /// the multi-node lines, taken a few times each on a noisy machine.
    func recordMedian(_ name: String, _ samples: [Double], unit: String) {
        let sorted = samples.sorted()
        let n = sorted.count
        let median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        let mean = samples.reduce(0, +) / Double(n)
        let spread = (samples.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)).squareRoot()
        results.append(Result(name: name, value: median, spread: spread, unit: unit))
        print("\(name) \(unit) \(Self.format(median)) +- \(Self.format(spread)) (median of \(n); in run order: \(samples.map(Self.format).joined(separator: " ")))")
        fflush(nil)
    }

    /// Records a line that has no figure, and why.
    func note(_ name: String, _ why: String) {
        results.append(Result(name: name, value: 0, spread: 0, unit: "", note: why))
    }

    static func format(_ value: Double) -> String { String(format: value >= 100 ? "%.0f" : "%.3f", value) }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
