import Foundation
import RayExamplesKit

/// One configuration to try, drawn at random as in the seed: a learning rate and an initial
/// weight scale on log scales, a batch size, a dropout probability and a hidden-layer width.
public struct Hyperparameters: Codable, Sendable, CustomStringConvertible {
    public var learningRate: Float
    public var batchSize: Int
    public var dropout: Float
    public var initScale: Float
    public var hiddenUnits: Int

    public init(learningRate: Float, batchSize: Int, dropout: Float, initScale: Float, hiddenUnits: Int) {
        self.learningRate = learningRate
        self.batchSize = batchSize
        self.dropout = dropout
        self.initScale = initScale
        self.hiddenUnits = hiddenUnits
    }

    public static func random(using generator: inout SeededGenerator) -> Hyperparameters {
        Hyperparameters(learningRate: pow(10, Float.random(in: -3...0, using: &generator)),
                        batchSize: Int.random(in: 8...128, using: &generator),
                        dropout: Float.random(in: 0...0.5, using: &generator),
                        initScale: pow(10, Float.random(in: -2.5...0.5, using: &generator)),
                        hiddenUnits: Int.random(in: 8...64, using: &generator))
    }

    public var description: String {
        "lr \(Self.format(learningRate)), batch \(batchSize), dropout \(Self.format(dropout)), init \(Self.format(initScale)), hidden \(hiddenUnits)"
    }

    static func format(_ value: Float) -> String { String(format: "%.3g", Double(value)) }
}
