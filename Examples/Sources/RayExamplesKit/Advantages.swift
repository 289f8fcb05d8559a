/// The weights of policy-gradient steps: each step's discounted return, normalized over the
/// batch (zero mean, unit deviation), which lowers the variance of the estimate.
public enum Advantages {
    /// `rewards` per episode, in order; with `resetAtRewards`, a nonzero reward starts a new sum
    /// (Pong: each point is its own episode).
    public static func normalized(_ rewards: [[Float]], discount: Float = 0.99, resetAtRewards: Bool = false) -> [Float] {
        var returns = [Float]()
        for episode in rewards {
            var running: Float = 0
            var episodeReturns = [Float](repeating: 0, count: episode.count)
            for t in stride(from: episode.count - 1, through: 0, by: -1) {
                if resetAtRewards && episode[t] != 0 { running = 0 }
                running = episode[t] + discount * running
                episodeReturns[t] = running
            }
            returns += episodeReturns
        }
        let mean = returns.reduce(0, +) / Float(max(returns.count, 1))
        let deviation = (returns.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(max(returns.count, 1))).squareRoot()
        return returns.map { ($0 - mean) / max(deviation, 1e-6) }
    }
}
