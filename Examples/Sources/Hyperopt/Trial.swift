import Ray
import RayExamplesKit

/// The data every trial trains and validates on, `put` once and passed to every trial by ref.
public struct DataSplit: Codable, Sendable {
    public var training: ClassificationData
    public var validation: ClassificationData

    public init(training: ClassificationData, validation: ClassificationData) {
        self.training = training
        self.validation = validation
    }

    /// The spirals problem of the example: `count` points, 80% for training.
    public static func spirals(count: Int, classes: Int, seed: UInt64) -> DataSplit {
        let (training, validation) = ClassificationData.spirals(count: count, classes: classes, seed: seed).split(0.8)
        return DataSplit(training: training, validation: validation)
    }
}

/// Where a trial stands: its configuration, its network, how long it has trained, and its
/// validation accuracy after that.
public struct Trial: Codable, Sendable {
    public var id: Int
    public var hyperparameters: Hyperparameters
    public var network: DenseNetwork
    public var epochs: Int
    public var accuracy: Double
}

/// The seed's `train_cnn_and_compute_accuracy`, with its model argument: trains the trial's
/// network (a new one when it has trained 0 epochs) for `epochs` more epochs on the training
/// data and returns it with its accuracy on the validation data.
public struct TrainTrial: RemoteFunction3 {
    public static func run(_ trial: Trial, _ epochs: Int, _ data: DataSplit) -> Trial {
        var trial = trial
        var generator = SeededGenerator(seed: UInt64(trial.id) &* 7919 &+ UInt64(trial.epochs))
        for _ in 0..<epochs {
            trial.network.trainEpoch(on: data.training, learningRate: trial.hyperparameters.learningRate,
                                     batchSize: trial.hyperparameters.batchSize, dropout: trial.hyperparameters.dropout,
                                     generator: &generator)
        }
        trial.epochs += epochs
        let accuracy = trial.network.accuracy(on: data.validation)
        trial.accuracy = accuracy.isFinite ? accuracy : 0
        return trial
    }

    /// A trial not trained yet, with the network its hyperparameters describe.
    public static func start(_ id: Int, _ hyperparameters: Hyperparameters, features: Int, classes: Int) -> Trial {
        let network = DenseNetwork(layers: [features, hyperparameters.hiddenUnits, hyperparameters.hiddenUnits, classes],
                                   initScale: hyperparameters.initScale, seed: UInt64(id) &+ 1)
        return Trial(id: id, hyperparameters: hyperparameters, network: network, epochs: 0, accuracy: 0)
    }
}
