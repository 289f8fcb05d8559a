#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A labelled data set for classification: `count` rows of `features` numbers, row-major, and
/// a class per row.
public struct ClassificationData: Codable, Sendable {
    public var inputs: [Float]
    public var labels: [Int32]
    public let features: Int
    public let classes: Int

    public var count: Int { labels.count }

    public init(inputs: [Float], labels: [Int32], features: Int, classes: Int) {
        precondition(inputs.count == labels.count * features, "inputs must hold `features` numbers per label")
        self.inputs = inputs
        self.labels = labels
        self.features = features
        self.classes = classes
    }

    /// Interleaved spirals, one arm per class, in two dimensions lifted into `features`
    /// dimensions by a fixed random projection, with noise: a problem a linear model cannot
    /// solve (its accuracy stays near 1/classes + a little) and a small network can.
    public static func spirals(count: Int, classes: Int, features: Int = 8, noise: Float = 0.15, seed: UInt64) -> ClassificationData {
        var generator = SeededGenerator(seed: seed)
        let projection = (0..<(2 * features)).map { _ in generator.normal() }
        var inputs = [Float]()
        inputs.reserveCapacity(count * features)
        var labels = [Int32]()
        labels.reserveCapacity(count)
        for index in 0..<count {
            let label = index % classes
            let radius = Float.random(in: 0.05...1, using: &generator)
            let angle = Float(label) * 2 * .pi / Float(classes) + radius * 6 + generator.normal() * noise
            let x = radius * cos(angle), y = radius * sin(angle)
            for feature in 0..<features {
                inputs.append(x * projection[2 * feature] + y * projection[2 * feature + 1])
            }
            labels.append(Int32(label))
        }
        return ClassificationData(inputs: inputs, labels: labels, features: features, classes: classes)
    }

    /// The first `fraction` of the rows, and the rest.
    public func split(_ fraction: Double) -> (ClassificationData, ClassificationData) {
        let cut = Int(Double(count) * fraction)
        return (rows(0..<cut), rows(cut..<count))
    }

    public func rows(_ range: Range<Int>) -> ClassificationData {
        ClassificationData(inputs: Array(inputs[range.lowerBound * features..<range.upperBound * features]),
                           labels: Array(labels[range]), features: features, classes: classes)
    }
}

extension ClassificationData {
    /// Small one-channel images (`side` × `side`) of a short stroke on noise, in 4 classes by its
    /// direction: horizontal, vertical, and the two diagonals, anywhere in the image. Where the
    /// stroke lies varies, so the classes are told apart by local patterns: what a convolution
    /// finds.
    public static func strokes(count: Int, side: Int = 12, noise: Float = 0.1, seed: UInt64) -> ClassificationData {
        var generator = SeededGenerator(seed: seed)
        var inputs = [Float](repeating: 0, count: count * side * side)
        var labels = [Int32]()
        let directions = [(0, 1), (1, 0), (1, 1), (1, -1)]
        for index in 0..<count {
            let label = index % directions.count
            let (dy, dx) = directions[label]
            let length = Int.random(in: 3...min(6, side - 2), using: &generator)
            let y0 = Int.random(in: 0...(side - 1 - length * abs(dy)), using: &generator)
            let xMin = dx < 0 ? length : 0, xMax = side - 1 - (dx > 0 ? length : 0)
            let x0 = Int.random(in: xMin...xMax, using: &generator)
            let base = index * side * side
            for pixel in 0..<side * side { inputs[base + pixel] = Float.random(in: 0...noise, using: &generator) }
            for step in 0..<length { inputs[base + (y0 + step * dy) * side + x0 + step * dx] = 1 }
            labels.append(Int32(label))
        }
        return ClassificationData(inputs: inputs, labels: labels, features: side * side, classes: directions.count)
    }
}
