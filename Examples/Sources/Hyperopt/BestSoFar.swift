import Synchronization

/// The best trial seen so far, and the curve of the best accuracy over time.
public final class BestSoFar: Sendable {
    private let state = Mutex<(trial: Trial?, curve: [(x: Double, y: Double)])>((nil, []))

    public init() {}

    /// Records a finished trial; true when it is the best so far.
    public func offer(_ trial: Trial, elapsed: Double) -> Bool {
        state.withLock { state in
            let better = trial.accuracy > (state.trial?.accuracy ?? -1)
            if better { state.trial = trial }
            state.curve.append((elapsed, state.trial!.accuracy))
            return better
        }
    }

    public var trial: Trial? { state.withLock { $0.trial } }
    public var curve: [(x: Double, y: Double)] { state.withLock { $0.curve } }
}
