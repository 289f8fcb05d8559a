import Foundation
import Ray
import RayExamplesKit

/// The seed's two searches over random configurations, both processing results as they arrive
/// with `wait`:
/// - `random`: a fixed number of trials, each trained to the end, `inFlight` at a time; a new
///   trial starts whenever one finishes.
/// - `successiveHalving` (the seed's "more sophisticated" search, after Hyperband): many trials
///   trained briefly; each round keeps the better half, trains it as long again from where it
///   stopped (the model goes back in), and stops the rest early.
public struct HyperparameterSearch: Sendable {
    public var trials: Int
    public var inFlight: Int
    public var epochs: Int
    public var seed: UInt64

    public init(trials: Int, inFlight: Int, epochs: Int, seed: UInt64) {
        self.trials = trials
        self.inFlight = inFlight
        self.epochs = epochs
        self.seed = seed
    }

    /// A finished trial, and when it finished (seconds since the search began).
    public typealias Progress = @Sendable (_ trial: Trial, _ elapsed: Double) -> Void

    /// Random search; returns every trial in the order they finished.
    public func random(_ ray: Ray, data: ObjectRef<DataSplit>, features: Int, classes: Int,
                       onResult: Progress = { _, _ in }) async throws -> [Trial] {
        let clock = ContinuousClock(), start = clock.now
        var generator = SeededGenerator(seed: seed)
        var launched = 0
        var remaining = [ObjectRef<Trial>]()
        func launch() throws {
            let trial = TrainTrial.start(launched, .random(using: &generator), features: features, classes: classes)
            remaining.append(try TrainTrial.remote(trial, epochs, data))
            launched += 1
        }
        while launched < min(inFlight, trials) { try launch() }
        var finished = [Trial]()
        while !remaining.isEmpty {
            let trial = try await nextFinished(ray, &remaining)
            finished.append(trial)
            onResult(trial, (clock.now - start).seconds)
            if launched < trials { try launch() }
        }
        return finished
    }

    /// Successive halving over `trials` random configurations, `epochs` per round; returns each
    /// round's trials, best first.
    public func successiveHalving(_ ray: Ray, data: ObjectRef<DataSplit>, features: Int, classes: Int,
                                  onResult: Progress = { _, _ in }) async throws -> [[Trial]] {
        let clock = ContinuousClock(), start = clock.now
        var generator = SeededGenerator(seed: seed)
        var survivors = (0..<trials).map { TrainTrial.start($0, .random(using: &generator), features: features, classes: classes) }
        var rounds = [[Trial]]()
        while !survivors.isEmpty {
            var remaining = try survivors.map { try TrainTrial.remote($0, epochs, data) }
            var round = [Trial]()
            while !remaining.isEmpty {
                let trial = try await nextFinished(ray, &remaining)
                round.append(trial)
                onResult(trial, (clock.now - start).seconds)
            }
            round.sort { $0.accuracy > $1.accuracy }
            rounds.append(round)
            survivors = round.count > 1 ? Array(round.prefix(round.count / 2)) : []
        }
        return rounds
    }
}

extension HyperparameterSearch {
    /// Waits for the first of `running` to finish (the seed's `ray.wait` loop) and takes it out.
    private func nextFinished(_ ray: Ray, _ running: inout [ObjectRef<Trial>]) async throws -> Trial {
        let (ready, rest) = try await ray.wait(running, numReturns: 1)
        running = rest
        return try await ray.get(ready[0])
    }
}
