import Testing
@testable import RayExamplesKit

/// The loss's slope in one parameter, by central differences.
func finiteDifference<Model: NamedParameters>(_ model: Model, _ name: String, _ index: Int, epsilon: Float, loss: (Model) -> Double) -> Double {
    var plus = model, minus = model
    var parameters = model.parameters
    parameters[name]![index] += epsilon
    plus.parameters = parameters
    parameters[name]![index] -= 2 * epsilon
    minus.parameters = parameters
    return (loss(plus) - loss(minus)) / Double(2 * epsilon)
}

@Suite struct DenseNetworkTests {
    @Test func backpropagationMatchesFiniteDifferences() {
        let data = ClassificationData.spirals(count: 12, classes: 3, features: 4, seed: 5)
        let network = DenseNetwork(layers: [4, 6, 3], initScale: 0.5, seed: 9)
        var generator = SeededGenerator(seed: 1)
        let labels = data.labels.map(Int.init)
        let (weightGradients, biasGradients) = network.gradients(data.inputs, labels: labels, dropout: 0, generator: &generator)
        for (name, analytic) in [("w0", weightGradients[0]), ("w1", weightGradients[1]), ("b1", biasGradients[1])] {
            for index in stride(from: 0, to: analytic.count, by: max(1, analytic.count / 5)) {
                let numeric = finiteDifference(network, name, index, epsilon: 1e-2) { $0.loss(on: data) }
                #expect(abs(numeric - Double(analytic[index])) < 2e-3 + 0.05 * abs(numeric), "\(name)[\(index)]")
            }
        }
    }

    /// The spirals defeat a linear model; a small network trained by SGD learns them.
    @Test func aHiddenLayerLearnsWhatALinearModelCannot() {
        let (training, validation) = ClassificationData.spirals(count: 1200, classes: 3, seed: 3).split(0.8)
        var linear = DenseNetwork(layers: [training.features, 3], initScale: 0.1, seed: 1)
        var network = DenseNetwork(layers: [training.features, 32, 32, 3], initScale: 0.1, seed: 1)
        var generator = SeededGenerator(seed: 2)
        for _ in 0..<60 {
            linear.trainEpoch(on: training, learningRate: 0.1, batchSize: 32, dropout: 0, generator: &generator)
            network.trainEpoch(on: training, learningRate: 0.1, batchSize: 32, dropout: 0, generator: &generator)
        }
        #expect(linear.accuracy(on: validation) < 0.65)
        #expect(network.accuracy(on: validation) > 0.85)
    }

    @Test func dataAndInitialWeightsFollowTheirSeeds() {
        let a = ClassificationData.spirals(count: 30, classes: 3, seed: 7), b = ClassificationData.spirals(count: 30, classes: 3, seed: 7)
        #expect(a.inputs == b.inputs && a.labels == b.labels)
        #expect(DenseNetwork(layers: [2, 3], initScale: 1, seed: 4).parameters == DenseNetwork(layers: [2, 3], initScale: 1, seed: 4).parameters)
        let (training, validation) = a.split(0.8)
        #expect(training.count == 24 && validation.count == 6)
    }

    @Test func theChartIsAnSVGWithEachSeries() {
        let chart = SVGChart(title: "a < b & c", xLabel: "x", yLabel: "y",
                             series: [.init(name: "one", points: [(0, 0), (1, 1)]), .init(name: "two", points: [(0, 1), (1, 0.5)])])
        let svg = chart.svg
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        #expect(svg.components(separatedBy: "<polyline").count == 3)
        #expect(svg.contains("a &lt; b &amp; c"))
    }
}

@Suite struct LinearBaselineTests {
    /// What the examples' learning bounds stand above: a linear model's best on the spirals.
    @Test func aLinearModelStaysNearChanceOnTheSpirals() {
        let (training, validation) = ClassificationData.spirals(count: 1200, classes: 3, seed: 11).split(0.8)
        var linear = DenseNetwork(layers: [training.features, 3], initScale: 0.1, seed: 1)
        var generator = SeededGenerator(seed: 2)
        var best = 0.0
        for _ in 0..<60 {
            linear.trainEpoch(on: training, learningRate: 0.1, batchSize: 32, dropout: 0, generator: &generator)
            best = max(best, linear.accuracy(on: validation))
        }
        #expect(best < 0.6, "\(best)")
    }
}

@Suite struct LBFGSTests {
    /// Rosenbrock's function: a curved valley with its minimum 0 at (1, 1).
    @Test func findsTheMinimumOfRosenbrocksFunction() async throws {
        let result = try await LBFGS(maxIterations: 200).minimize(from: [-1.2, 1]) { x in
            let (a, b) = (x[0], x[1])
            let loss = (1 - a) * (1 - a) + 100 * (b - a * a) * (b - a * a)
            return (loss, [-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)])
        }
        #expect(abs(result.x[0] - 1) < 1e-3 && abs(result.x[1] - 1) < 1e-3, "\(result.x)")
        #expect(result.losses.first! > 20 && result.loss < 1e-6)
    }

    @Test func flatParametersRoundTripAndMatchTheGradientLayout() {
        var network = DenseNetwork(layers: [3, 4, 2], initScale: 0.5, seed: 1)
        let flat = network.flatParameters
        #expect(flat.count == 3 * 4 + 4 + 4 * 2 + 2)
        network.flatParameters = flat.map { $0 * 2 }
        #expect(network.flatParameters == flat.map { $0 * 2 })
        let data = ClassificationData.spirals(count: 10, classes: 2, features: 3, seed: 1)
        #expect(network.lossAndGradient(on: data).gradient.count == flat.count)
    }
}

@Suite struct CartPoleTests {
    /// One step from rest under a full push right, worked out by hand from Gym's equations.
    @Test func oneStepFollowsTheKnownDynamics() {
        var pole = CartPole()
        pole.step(push: 1)
        let expected = [0, 0.195_122, 0, -0.292_683]
        for (value, target) in zip(pole.state, expected) { #expect(abs(value - target) < 1e-5, "\(pole.state)") }
    }

    @Test func thePoleFallsWithoutControlAndTheEpisodeEnds() {
        var pole = CartPole(state: [0, 0, 0.01, 0])
        var reward = 0.0
        while !pole.isDone { reward += pole.step(push: 0) }
        #expect(abs(pole.state[2]) > CartPole.thetaLimit)
        #expect(reward > 10 && reward < 100)
        var capped = CartPole(maxSteps: 5)
        while !capped.isDone { capped.step(push: 0) }
        #expect(capped.steps == 5)
    }
}

@Suite struct PongTests {
    @Test func theScreenShowsTheBallAndBothPaddlesAndPointsEndTheGame() {
        var pong = Pong(seed: 3)
        let screen = pong.screen
        #expect(screen.count == pong.size * pong.size)
        #expect(screen.reduce(0, +) == Float(2 * pong.paddleHeight + 1))
        // Standing still, the agent misses most serves: the game ends with a negative score.
        while !pong.isOver { pong.step(.stay) }
        #expect(pong.pointsPlayed == pong.pointsPerGame)
        #expect(pong.score < 0)
    }

    @Test func aPaddleThatFollowsTheBallNeverLosesAPoint() {
        var pong = Pong(pointsPerGame: 3, maxSteps: 5000, seed: 4)
        while !pong.isOver {
            let center = Int(pong.agentY) + pong.paddleHeight / 2
            pong.step(pong.ballY < center ? .up : pong.ballY > center ? .down : .stay)
        }
        #expect(pong.pointsPlayed > 0 && pong.score == pong.pointsPlayed)
    }
}

@Suite struct AdvantagesTests {
    @Test func returnsAreDiscountedNormalizedAndResetAtPointsWhenAsked() {
        let plain = Advantages.normalized([[1, 1, 1]], discount: 0.5)
        // Returns 1.75, 1.5, 1: the earliest step weighs most, and the weights have mean 0.
        #expect(plain[0] > plain[1] && plain[1] > plain[2])
        #expect(abs(plain.reduce(0, +)) < 1e-5)
        let reset = Advantages.normalized([[0, 1, 0, -1]], discount: 0.5, resetAtRewards: true)
        // Returns 0.5, 1, -0.5, -1: the point won counts before it, the point lost after it.
        #expect(reset[1] > reset[0] && reset[0] > reset[2] && reset[2] > reset[3])
    }
}

@Suite struct ConvolutionalNetworkTests {
    @Test func backpropagationThroughTheFiltersMatchesFiniteDifferences() {
        let data = ClassificationData.strokes(count: 6, side: 6, seed: 2)
        let network = ConvolutionalNetwork(side: 6, filters: 2, hidden: 5, classes: 4, initScale: 0.5, seed: 3)
        var generator = SeededGenerator(seed: 1)
        let (_, _, kernels, kernelBiases) = network.gradients(data.inputs, labels: data.labels.map(Int.init), generator: &generator)
        let epsilon: Float = 1e-3
        // A ReLU that a difference of ±epsilon switches makes the numeric value meaningless for
        // that entry; a mistake in backpropagation would miss most entries, not one or two.
        var mismatches = [String]()
        for (name, analytic) in [("conv", kernels), ("convBias", kernelBiases)] {
            for index in analytic.indices {
                let numeric = finiteDifference(network, name, index, epsilon: epsilon) { $0.loss(on: data) }
                if abs(numeric - Double(analytic[index])) > 5e-3 + 0.05 * abs(numeric) { mismatches.append("\(name)[\(index)]") }
            }
        }
        #expect(mismatches.count <= 2, "\(mismatches)")
    }

    @Test func filtersLearnTheStrokesDirections() {
        let (training, validation) = ClassificationData.strokes(count: 1200, seed: 4).split(0.8)
        var network = ConvolutionalNetwork(side: 12, filters: 4, hidden: 16, classes: 4, initScale: 0.2, seed: 1)
        var generator = SeededGenerator(seed: 2)
        for _ in 0..<8 { network.trainEpoch(on: training, learningRate: 0.05, batchSize: 32, generator: &generator) }
        #expect(network.accuracy(on: validation) > 0.8, "\(network.accuracy(on: validation))")
    }
}
