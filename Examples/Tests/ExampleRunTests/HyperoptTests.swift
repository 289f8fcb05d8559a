import Foundation
import Hyperopt
import RayExamplesKit
import Synchronization
import Testing

extension ExampleRuns {
    /// The small configurations through a real local cluster (processes, object store). A linear
    /// model stays below 0.6 on this data (`LinearBaselineTests`); chance is 1/3.
    @Suite struct HyperoptTests {
        @Test func randomSearchLearnsTheSpirals() async throws {
            let (best, _) = try await HyperoptProgram.run(try HyperoptOptions(arguments: ["--small"]), cpus: 2, print: { _ in })
            #expect(best.accuracy > 0.75)
            #expect(best.epochs == 30)
        }

        @Test func successiveHalvingLearnsTheSpiralsAndTrainsTheSurvivorsLonger() async throws {
            let plot = NSTemporaryDirectory() + "hyperopt-test-\(getpid()).svg"
            defer { try? FileManager.default.removeItem(atPath: plot) }
            let lines = Lines()
            let options = try HyperoptOptions(arguments: ["--small", "--adaptive", "--plot", plot])
            let (best, _) = try await HyperoptProgram.run(options, cpus: 2, print: { lines.append($0) })
            #expect(best.accuracy > 0.75)
            // 8 configurations: rounds of 8, 4, 2 and 1, 10 epochs each; the last one trained 40.
            #expect(lines.all.filter { $0.hasPrefix("round ") }.count == 4)
            #expect(lines.all.filter { $0.contains("after  40 epochs") }.count == 1)
            #expect(best.epochs >= 10)
            #expect(try String(contentsOfFile: plot, encoding: .utf8).contains("<polyline"))
        }

        @Test func badOptionsAreRefusedWithTheUsage() {
            #expect(throws: ExampleArguments.Invalid.self) { try HyperoptOptions(arguments: ["--trials", "0"]) }
            #expect(throws: ExampleArguments.Invalid.self) { try HyperoptOptions(arguments: ["--fast"]) }
            #expect(throws: ExampleArguments.Invalid.self) { try HyperoptOptions(arguments: ["--plot"]) }
            #expect((try? HyperoptOptions(arguments: ["--adaptive", "--seed", "3"]))?.seed == 3)
        }
    }
}

/// The lines a run printed.
final class Lines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
