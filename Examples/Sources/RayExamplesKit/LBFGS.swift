/// Limited-memory BFGS (Nocedal and Wright, algorithm 7.4): a quasi-Newton minimizer that keeps
/// the last `memory` steps and gradient changes to approximate the inverse Hessian, with a
/// backtracking line search that asks for sufficient decrease (Armijo). The objective is async,
/// so that each evaluation can fan out to actors holding shards of the data.
public struct LBFGS: Sendable {
    public var memory: Int
    public var maxIterations: Int
    /// Stops once the gradient's largest component falls below this.
    public var gradientTolerance: Double

    public init(memory: Int = 10, maxIterations: Int = 100, gradientTolerance: Double = 1e-5) {
        self.memory = memory
        self.maxIterations = maxIterations
        self.gradientTolerance = gradientTolerance
    }

    /// The loss and its gradient at a point.
    public typealias Objective = (_ x: [Double]) async throws -> (loss: Double, gradient: [Double])

    public struct Result: Sendable {
        public var x: [Double]
        public var loss: Double
        /// The loss after each iteration, the starting point's first.
        public var losses: [Double]
        /// How many times the objective was evaluated.
        public var evaluations: Int
    }

    public func minimize(from start: [Double], _ objective: Objective, onIteration: (_ iteration: Int, _ loss: Double) -> Void = { _, _ in })
        async throws -> Result {
        var x = start
        var (loss, gradient) = try await objective(x)
        var evaluations = 1
        var losses = [loss]
        var steps = [[Double]](), changes = [[Double]](), inverseCurvatures = [Double]()
        for iteration in 1...max(1, maxIterations) {
            guard gradient.map(abs).max() ?? 0 > gradientTolerance else { break }
            var direction = Self.twoLoop(gradient, steps: steps, changes: changes, inverseCurvatures: inverseCurvatures)
            var slope = Self.dot(direction, gradient)
            if slope >= 0 {
                // Not a descent direction (the curvature pairs went stale): restart from steepest descent.
                steps.removeAll(); changes.removeAll(); inverseCurvatures.removeAll()
                direction = gradient.map { -$0 }
                slope = Self.dot(direction, gradient)
            }
            var stepSize = steps.isEmpty ? min(1, 1 / max(gradient.map(abs).reduce(0, +), 1e-12)) : 1
            var accepted: (x: [Double], loss: Double, gradient: [Double])?
            for _ in 0..<30 {
                let candidate = zip(x, direction).map { $0 + stepSize * $1 }
                let (candidateLoss, candidateGradient) = try await objective(candidate)
                evaluations += 1
                if candidateLoss.isFinite && candidateLoss <= loss + 1e-4 * stepSize * slope {
                    accepted = (candidate, candidateLoss, candidateGradient)
                    break
                }
                stepSize *= 0.5
            }
            guard let (next, nextLoss, nextGradient) = accepted else { break }
            let step = zip(next, x).map { $0 - $1 }
            let change = zip(nextGradient, gradient).map { $0 - $1 }
            let curvature = Self.dot(step, change)
            if curvature > 1e-10 {
                steps.append(step)
                changes.append(change)
                inverseCurvatures.append(1 / curvature)
                if steps.count > memory {
                    steps.removeFirst(); changes.removeFirst(); inverseCurvatures.removeFirst()
                }
            }
            (x, loss, gradient) = (next, nextLoss, nextGradient)
            losses.append(loss)
            onIteration(iteration, loss)
        }
        return Result(x: x, loss: loss, losses: losses, evaluations: evaluations)
    }

    /// The search direction: minus the inverse-Hessian approximation times the gradient.
    static func twoLoop(_ gradient: [Double], steps: [[Double]], changes: [[Double]], inverseCurvatures: [Double]) -> [Double] {
        var q = gradient
        var alphas = [Double](repeating: 0, count: steps.count)
        for i in stride(from: steps.count - 1, through: 0, by: -1) {
            alphas[i] = inverseCurvatures[i] * dot(steps[i], q)
            for j in q.indices { q[j] -= alphas[i] * changes[i][j] }
        }
        if let lastStep = steps.last, let lastChange = changes.last {
            let scale = dot(lastStep, lastChange) / max(dot(lastChange, lastChange), 1e-12)
            for j in q.indices { q[j] *= scale }
        }
        for i in steps.indices {
            let beta = inverseCurvatures[i] * dot(changes[i], q)
            for j in q.indices { q[j] += (alphas[i] - beta) * steps[i][j] }
        }
        return q.map { -$0 }
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for i in a.indices { sum += a[i] * b[i] }
        return sum
    }
}
