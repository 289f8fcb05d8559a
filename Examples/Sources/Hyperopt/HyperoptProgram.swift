import Foundation
import Ray
import RayExamplesKit

/// What the `hyperopt` program does, callable from the tests with the small configuration:
/// puts the data once, runs the chosen search on a local cluster of `cpus` CPUs, prints each
/// result as it arrives, and writes the learning curve if asked.
public enum HyperoptProgram {
    /// The small configuration's problem has 3 classes; the full one 5, in more points.
    public static func classes(_ options: HyperoptOptions) -> Int { options.small ? 3 : 5 }

    /// The search's best trial and the seconds it took.
    public static func run(_ options: HyperoptOptions, cpus: Int, print: @escaping @Sendable (String) -> Void = { Swift.print($0) })
        async throws -> (best: Trial, seconds: Double) {
        let split = DataSplit.spirals(count: options.small ? 600 : 6000, classes: classes(options), seed: options.seed)
        let search = HyperparameterSearch(
            trials: options.trials ?? (options.small ? 8 : (options.adaptive ? 32 : 24)),
            inFlight: options.inFlight ?? cpus,
            epochs: options.epochs ?? (options.adaptive ? (options.small ? 10 : 5) : (options.small ? 30 : 40)),
            seed: options.seed)
        return try await Ray.withCluster(RayOptions(cpus: Double(cpus))) { ray in
            try await run(search, on: ray, split: split, options: options, cpus: cpus, print: print)
        }
    }

    private static func run(_ search: HyperparameterSearch, on ray: Ray, split: DataSplit, options: HyperoptOptions, cpus: Int,
                            print: @escaping @Sendable (String) -> Void) async throws -> (best: Trial, seconds: Double) {
        let data = try ray.put(split)
        print("\(options.adaptive ? "successive halving" : "random search") over \(search.trials) configurations, "
            + "\(search.epochs) epochs \(options.adaptive ? "per round" : "each"), \(cpus) CPUs; "
            + "\(split.training.count) training and \(split.validation.count) validation points, \(split.training.classes) classes")
        let best = BestSoFar()
        let report: HyperparameterSearch.Progress = { trial, elapsed in
            let record = best.offer(trial, elapsed: elapsed)
            print(String(format: "%7.2fs  trial %2d after %3d epochs: accuracy %.3f%@  (%@)", elapsed, trial.id, trial.epochs,
                         trial.accuracy, record ? " best so far" : "", trial.hyperparameters.description))
        }
        let clock = ContinuousClock(), begin = clock.now
        if options.adaptive {
            let rounds = try await search.successiveHalving(ray, data: data, features: split.training.features, classes: split.training.classes,
                                                            onResult: report)
            for (index, round) in rounds.enumerated() {
                print("round \(index + 1): \(round.count) trials, best accuracy \(String(format: "%.3f", round[0].accuracy))")
            }
        } else {
            _ = try await search.random(ray, data: data, features: split.training.features, classes: split.training.classes, onResult: report)
        }
        let seconds = (clock.now - begin).seconds
        guard let winner = best.trial else { throw RayError.invalidArgument("the search ran no trial") }
        print(String(format: "best: trial %d, accuracy %.3f after %d epochs (%@); %.2f s in all", winner.id, winner.accuracy,
                     winner.epochs, winner.hyperparameters.description, seconds))
        if let plot = options.plot {
            let curve = SVGChart(title: options.adaptive ? "Successive halving on spirals" : "Random search on spirals",
                                 xLabel: "seconds", yLabel: "best validation accuracy",
                                 series: [SVGChart.Series(name: "best so far", points: best.curve)])
            try curve.write(to: plot)
            print("wrote \(plot)")
        }
        return (winner, seconds)
    }
}
