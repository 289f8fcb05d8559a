/// A small convolutional network for square one-channel images: `filters` 3×3 filters (valid
/// padding, stride 1) with ReLU, then a dense network over the feature maps. Backpropagation
/// runs through the dense part (`DenseNetwork.gradientsWithInputs`) into the filters.
public struct ConvolutionalNetwork: Codable, Sendable, NamedParameters {
    public let side: Int
    public let filters: Int
    private var kernels: [Float]
    private var kernelBiases: [Float]
    private var kernelVelocity: [Float]
    private var kernelBiasVelocity: [Float]
    private(set) var head: DenseNetwork

    /// Each feature map is `side - 2` on a side.
    var mapSide: Int { side - 2 }

    public init(side: Int, filters: Int, hidden: Int, classes: Int, initScale: Float, seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        self.side = side
        self.filters = filters
        kernels = (0..<filters * 9).map { _ in generator.normal() * initScale }
        kernelBiases = [Float](repeating: 0, count: filters)
        kernelVelocity = [Float](repeating: 0, count: filters * 9)
        kernelBiasVelocity = [Float](repeating: 0, count: filters)
        head = DenseNetwork(layers: [filters * (side - 2) * (side - 2), hidden, classes], initScale: initScale, seed: seed &+ 1)
    }

    public var parameters: [String: [Float]] {
        get { head.parameters.merging(["conv": kernels, "convBias": kernelBiases]) { $1 } }
        set {
            if let k = newValue["conv"], k.count == kernels.count { kernels = k }
            if let b = newValue["convBias"], b.count == kernelBiases.count { kernelBiases = b }
            head.parameters = newValue
        }
    }

    public var parameterShapes: [String: [Int]] {
        head.parameterShapes.merging(["conv": [filters, 3, 3], "convBias": [filters]]) { $1 }
    }

    /// The ReLU feature maps of each image, and the mask of where the ReLU passed.
    private func features(_ images: ArraySlice<Float>, count: Int) -> (maps: [Float], mask: [Float]) {
        let (s, m) = (side, mapSide)
        var maps = [Float](repeating: 0, count: count * filters * m * m)
        var mask = maps
        images.withUnsafeBufferPointer { input in
            for b in 0..<count {
                let image = input.baseAddress! + b * s * s
                for f in 0..<filters {
                    let k = kernels[f * 9..<(f + 1) * 9].map { $0 }
                    let out = (b * filters + f) * m * m
                    for y in 0..<m {
                        for x in 0..<m {
                            var sum = kernelBiases[f]
                            for ky in 0..<3 {
                                let row = image + (y + ky) * s + x
                                sum += k[ky * 3] * row[0] + k[ky * 3 + 1] * row[1] + k[ky * 3 + 2] * row[2]
                            }
                            if sum > 0 {
                                maps[out + y * m + x] = sum
                                mask[out + y * m + x] = 1
                            }
                        }
                    }
                }
            }
        }
        return (maps, mask)
    }

    public func accuracy(on data: ClassificationData) -> Double {
        head.accuracy(on: ClassificationData(inputs: features(data.inputs[...], count: data.count).maps, labels: data.labels,
                                             features: filters * mapSide * mapSide, classes: data.classes))
    }

    /// One pass over `data` in shuffled minibatches of SGD with momentum, through both parts.
    public mutating func trainEpoch(on data: ClassificationData, learningRate: Float, momentum: Float = 0.9, batchSize: Int,
                                    generator: inout SeededGenerator) {
        let order = (0..<data.count).shuffled(using: &generator)
        let pixels = side * side
        var start = 0
        while start < order.count {
            let rows = order[start..<min(start + batchSize, order.count)]
            var images = [Float]()
            images.reserveCapacity(rows.count * pixels)
            for row in rows { images += data.inputs[row * pixels..<(row + 1) * pixels] }
            let (weightGradients, biasGradients, kernelGradients, kernelBiasGradients) =
                gradients(images, labels: rows.map { Int(data.labels[$0]) }, generator: &generator)
            head.descend(weightGradients, biasGradients, learningRate: learningRate, momentum: momentum)
            for i in kernels.indices {
                kernelVelocity[i] = momentum * kernelVelocity[i] - learningRate * kernelGradients[i]
                kernels[i] += kernelVelocity[i]
            }
            for f in 0..<filters {
                kernelBiasVelocity[f] = momentum * kernelBiasVelocity[f] - learningRate * kernelBiasGradients[f]
                kernelBiases[f] += kernelBiasVelocity[f]
            }
            start += batchSize
        }
    }

    /// The mean cross-entropy's gradients: the dense part's, then the filters' and their biases'.
    public func gradients(_ images: [Float], labels: [Int], generator: inout SeededGenerator)
        -> (weights: [[Float]], biases: [[Float]], kernels: [Float], kernelBiases: [Float]) {
        let count = labels.count
        let (maps, mask) = features(images[...], count: count)
        var (weightGradients, biasGradients, mapGradients) = head.gradientsWithInputs(maps, labels: labels, generator: &generator)
        for i in mapGradients.indices { mapGradients[i] *= mask[i] }
        let (s, m) = (side, mapSide)
        var kernelGradients = [Float](repeating: 0, count: filters * 9)
        var kernelBiasGradients = [Float](repeating: 0, count: filters)
        for b in 0..<count {
            for f in 0..<filters {
                let out = (b * filters + f) * m * m
                for y in 0..<m {
                    for x in 0..<m {
                        let g = mapGradients[out + y * m + x]
                        if g == 0 { continue }
                        kernelBiasGradients[f] += g
                        for ky in 0..<3 {
                            for kx in 0..<3 { kernelGradients[f * 9 + ky * 3 + kx] += g * images[b * s * s + (y + ky) * s + x + kx] }
                        }
                    }
                }
            }
        }
        return (weightGradients, biasGradients, kernelGradients, kernelBiasGradients)
    }

    /// The mean cross-entropy of the labels (for the gradient check).
    public func loss(on data: ClassificationData) -> Double {
        head.loss(on: ClassificationData(inputs: features(data.inputs[...], count: data.count).maps, labels: data.labels,
                                         features: filters * mapSide * mapSide, classes: data.classes))
    }
}
