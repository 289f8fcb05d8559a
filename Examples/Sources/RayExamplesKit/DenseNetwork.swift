#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fully connected network: ReLU hidden layers, a softmax output, cross-entropy loss, trained
/// by minibatch SGD with momentum, with dropout on the hidden layers. Its parameters are named
/// arrays (`parameters`), so they travel between processes as plain values or `NDArray`s.
public struct DenseNetwork: Codable, Sendable, NamedParameters {
    /// Units per layer, inputs first: `[8, 32, 32, 3]` has two hidden layers.
    public let layers: [Int]
    /// Per layer: weights (inputs × outputs, row-major) and biases.
    private(set) var weights: [[Float]]
    private(set) var biases: [[Float]]
    private var weightVelocity: [[Float]]
    private var biasVelocity: [[Float]]
    /// RMSProp's running mean of squared gradients (`descendRMSProp`), per parameter.
    private var squaredGradients: [Float]?

    /// Weights drawn from a normal distribution of standard deviation `initScale`.
    public init(layers: [Int], initScale: Float, seed: UInt64) {
        precondition(layers.count >= 2, "a network needs an input and an output layer")
        var generator = SeededGenerator(seed: seed)
        self.layers = layers
        weights = (0..<layers.count - 1).map { l in (0..<layers[l] * layers[l + 1]).map { _ in generator.normal() * initScale } }
        biases = (1..<layers.count).map { [Float](repeating: 0, count: layers[$0]) }
        weightVelocity = weights.map { [Float](repeating: 0, count: $0.count) }
        biasVelocity = biases.map { [Float](repeating: 0, count: $0.count) }
    }

    /// The shape of each named parameter: `w0` inputs × outputs, `b0` outputs, ...
    public var parameterShapes: [String: [Int]] {
        var shapes = [String: [Int]]()
        for l in 0..<layers.count - 1 {
            shapes["w\(l)"] = [layers[l], layers[l + 1]]
            shapes["b\(l)"] = [layers[l + 1]]
        }
        return shapes
    }

    /// The parameters by name (`w0`, `b0`, `w1`, ...).
    public var parameters: [String: [Float]] {
        get {
            var named = [String: [Float]]()
            for l in weights.indices {
                named["w\(l)"] = weights[l]
                named["b\(l)"] = biases[l]
            }
            return named
        }
        set {
            for l in weights.indices {
                if let w = newValue["w\(l)"], w.count == weights[l].count { weights[l] = w }
                if let b = newValue["b\(l)"], b.count == biases[l].count { biases[l] = b }
            }
        }
    }

    /// All weights and biases in one vector (layer by layer, weights first), for optimizers
    /// that see the parameters as a point in space.
    public var flatParameters: [Float] {
        get { zip(weights, biases).flatMap { $0 + $1 } }
        set {
            var offset = 0
            for l in weights.indices {
                weights[l] = Array(newValue[offset..<offset + weights[l].count])
                offset += weights[l].count
                biases[l] = Array(newValue[offset..<offset + biases[l].count])
                offset += biases[l].count
            }
        }
    }

    /// The mean cross-entropy over `data` and its gradient in `flatParameters`' layout (no
    /// dropout): what a full-batch optimizer needs from one shard.
    public func lossAndGradient(on data: ClassificationData) -> (loss: Double, gradient: [Float]) {
        var generator = SeededGenerator(seed: 0)
        let (weightGradients, biasGradients) = gradients(data.inputs, labels: data.labels.map(Int.init), dropout: 0, generator: &generator)
        return (loss(on: data), Self.flatten(weightGradients, biasGradients))
    }

    /// Class probabilities for each row of `inputs` (batch × inputs), row-major.
    public func probabilities(_ inputs: [Float], count: Int) -> [Float] {
        forward(inputs, count: count, dropout: 0, generator: nil).activations.last!
    }

    /// The share of rows whose most probable class is their label.
    public func accuracy(on data: ClassificationData) -> Double {
        let classes = layers.last!
        let probabilities = probabilities(data.inputs, count: data.count)
        var correct = 0
        for row in 0..<data.count {
            let scores = probabilities[row * classes..<(row + 1) * classes]
            if scores.indices.max(by: { scores[$0] < scores[$1] })! - row * classes == Int(data.labels[row]) { correct += 1 }
        }
        return Double(correct) / Double(max(data.count, 1))
    }

    /// The mean cross-entropy of the labels under the network (no dropout).
    public func loss(on data: ClassificationData) -> Double {
        let classes = layers.last!
        let probabilities = probabilities(data.inputs, count: data.count)
        var total = 0.0
        for row in 0..<data.count {
            total -= Double(log(max(probabilities[row * classes + Int(data.labels[row])], 1e-12)))
        }
        return total / Double(max(data.count, 1))
    }

    /// One pass over `data` in shuffled minibatches.
    public mutating func trainEpoch(on data: ClassificationData, learningRate: Float, momentum: Float = 0.9, batchSize: Int,
                                    dropout: Float, generator: inout SeededGenerator) {
        let order = (0..<data.count).shuffled(using: &generator)
        let features = data.features
        var start = 0
        while start < order.count {
            let rows = order[start..<min(start + batchSize, order.count)]
            var inputs = [Float]()
            inputs.reserveCapacity(rows.count * features)
            for row in rows { inputs += data.inputs[row * features..<(row + 1) * features] }
            let labels = rows.map { Int(data.labels[$0]) }
            let (weightGradients, biasGradients) = gradients(inputs, labels: labels, dropout: dropout, generator: &generator)
            descend(weightGradients, biasGradients, learningRate: learningRate, momentum: momentum)
            start += batchSize
        }
    }

    /// The gradients `gradients` returns, in `flatParameters`' layout.
    public static func flatten(_ weightGradients: [[Float]], _ biasGradients: [[Float]]) -> [Float] {
        zip(weightGradients, biasGradients).flatMap { $0 + $1 }
    }

    /// One step of SGD with momentum against a gradient in `flatParameters`' layout.
    public mutating func descend(flat gradient: [Float], learningRate: Float, momentum: Float = 0.9) {
        var weightGradients = [[Float]](), biasGradients = [[Float]]()
        var offset = 0
        for l in weights.indices {
            weightGradients.append(Array(gradient[offset..<offset + weights[l].count]))
            offset += weights[l].count
            biasGradients.append(Array(gradient[offset..<offset + biases[l].count]))
            offset += biases[l].count
        }
        descend(weightGradients, biasGradients, learningRate: learningRate, momentum: momentum)
    }

    /// One step of RMSProp (Hinton; the update of Karpathy's Pong agent): each parameter's step
    /// is divided by the root of its recent mean squared gradient, so parameters that see rare
    /// inputs (most pixels) still move.
    public mutating func descendRMSProp(_ weightGradients: [[Float]], _ biasGradients: [[Float]], learningRate: Float, decay: Float = 0.99) {
        let gradient = Self.flatten(weightGradients, biasGradients)
        var cache = squaredGradients ?? [Float](repeating: 0, count: gradient.count)
        var parameters = flatParameters
        for i in parameters.indices {
            cache[i] = decay * cache[i] + (1 - decay) * gradient[i] * gradient[i]
            parameters[i] -= learningRate * gradient[i] / (cache[i].squareRoot() + 1e-5)
        }
        squaredGradients = cache
        flatParameters = parameters
    }

    /// One step of SGD with momentum against gradients laid out as `gradients` returns them.
    public mutating func descend(_ weightGradients: [[Float]], _ biasGradients: [[Float]], learningRate: Float, momentum: Float = 0.9) {
        for l in weights.indices {
            for i in weights[l].indices {
                weightVelocity[l][i] = momentum * weightVelocity[l][i] - learningRate * weightGradients[l][i]
                weights[l][i] += weightVelocity[l][i]
            }
            for i in biases[l].indices {
                biasVelocity[l][i] = momentum * biasVelocity[l][i] - learningRate * biasGradients[l][i]
                biases[l][i] += biasVelocity[l][i]
            }
        }
    }

    /// The gradients of the mean cross-entropy over a batch with respect to every weight and
    /// bias, by backpropagation.
    /// With `rowWeights`, each row's term is weighted: a policy gradient is the gradient of the
    /// advantage-weighted cross-entropy of the actions taken.
    public func gradients(_ inputs: [Float], labels: [Int], rowWeights: [Float]? = nil, dropout: Float, generator: inout SeededGenerator)
        -> (weights: [[Float]], biases: [[Float]]) {
        let result = backpropagate(inputs, labels: labels, rowWeights: rowWeights, dropout: dropout, generator: &generator, toInputs: false)
        return (result.weights, result.biases)
    }

    /// The same gradients, and the gradient with respect to the inputs, for a layer in front of
    /// this network (a convolution) to continue backpropagation from.
    public func gradientsWithInputs(_ inputs: [Float], labels: [Int], generator: inout SeededGenerator)
        -> (weights: [[Float]], biases: [[Float]], inputs: [Float]) {
        backpropagate(inputs, labels: labels, rowWeights: nil, dropout: 0, generator: &generator, toInputs: true)
    }

    private func backpropagate(_ inputs: [Float], labels: [Int], rowWeights: [Float]?, dropout: Float, generator: inout SeededGenerator,
                               toInputs: Bool) -> (weights: [[Float]], biases: [[Float]], inputs: [Float]) {
        let count = labels.count
        let pass = forward(inputs, count: count, dropout: dropout, generator: &generator)
        let classes = layers.last!
        // Softmax with cross-entropy: the output's error is probability minus one-hot, averaged.
        var delta = pass.activations.last!
        for row in 0..<count { delta[row * classes + labels[row]] -= 1 }
        let scale = 1 / Float(count)
        for row in 0..<count {
            let weight = scale * (rowWeights?[row] ?? 1)
            for j in 0..<classes { delta[row * classes + j] *= weight }
        }
        var weightGradients = weights.map { [Float](repeating: 0, count: $0.count) }
        var biasGradients = biases.map { [Float](repeating: 0, count: $0.count) }
        for l in stride(from: weights.count - 1, through: 0, by: -1) {
            let (inCount, outCount) = (layers[l], layers[l + 1])
            pass.activations[l].withUnsafeBufferPointer { a in
                delta.withUnsafeBufferPointer { d in
                    weightGradients[l].withUnsafeMutableBufferPointer { g in
                        LinearAlgebra.multiplyTransposedA(a, d, into: g, m: count, k: inCount, n: outCount)
                    }
                }
            }
            for row in 0..<count {
                for j in 0..<outCount { biasGradients[l][j] += delta[row * outCount + j] }
            }
            guard l > 0 || toInputs else { break }
            var previous = [Float](repeating: 0, count: count * inCount)
            delta.withUnsafeBufferPointer { d in
                weights[l].withUnsafeBufferPointer { w in
                    previous.withUnsafeMutableBufferPointer { p in
                        LinearAlgebra.multiplyTransposedB(d, w, into: p, m: count, n: outCount, k: inCount)
                    }
                }
            }
            guard l > 0 else { return (weightGradients, biasGradients, previous) }
            // Through ReLU and dropout: the same mask the forward pass applied.
            let mask = pass.masks[l - 1]
            for i in previous.indices { previous[i] *= mask[i] }
            delta = previous
        }
        return (weightGradients, biasGradients, [])
    }

    /// Activations of every layer (inputs first), and each hidden layer's mask: the ReLU's
    /// derivative times the inverted-dropout scale.
    private func forward(_ inputs: [Float], count: Int, dropout: Float, generator: UnsafeMutablePointer<SeededGenerator>?)
        -> (activations: [[Float]], masks: [[Float]]) {
        var activations = [inputs]
        var masks = [[Float]]()
        for l in weights.indices {
            let (inCount, outCount) = (layers[l], layers[l + 1])
            var output = [Float](repeating: 0, count: count * outCount)
            activations[l].withUnsafeBufferPointer { a in
                weights[l].withUnsafeBufferPointer { w in
                    output.withUnsafeMutableBufferPointer { o in
                        LinearAlgebra.multiply(a, w, into: o, m: count, k: inCount, n: outCount)
                    }
                }
            }
            for row in 0..<count {
                for j in 0..<outCount { output[row * outCount + j] += biases[l][j] }
            }
            if l < weights.count - 1 {
                var mask = [Float](repeating: 0, count: output.count)
                let keep = 1 - dropout
                for i in output.indices where output[i] > 0 {
                    if dropout > 0, let generator, Float.random(in: 0..<1, using: &generator.pointee) >= keep { continue }
                    mask[i] = dropout > 0 ? 1 / keep : 1
                }
                for i in output.indices { output[i] *= mask[i] }
                masks.append(mask)
            } else {
                Self.softmaxRows(&output, columns: outCount)
            }
            activations.append(output)
        }
        return (activations, masks)
    }

    private func forward(_ inputs: [Float], count: Int, dropout: Float, generator: inout SeededGenerator)
        -> (activations: [[Float]], masks: [[Float]]) {
        withUnsafeMutablePointer(to: &generator) { forward(inputs, count: count, dropout: dropout, generator: $0) }
    }

    private static func softmaxRows(_ values: inout [Float], columns: Int) {
        for start in stride(from: 0, to: values.count, by: columns) {
            let row = start..<start + columns
            let top = values[row].max()!
            var sum: Float = 0
            for i in row {
                values[i] = exp(values[i] - top)
                sum += values[i]
            }
            for i in row { values[i] /= sum }
        }
    }
}
