import Foundation
import Logging
import SeededRandom

/// Hyper-parameters of one training run.
public struct TrainingConfig: Sendable, Codable, Equatable {
    public var maximumEpochs: Int
    /// Stop after this many epochs without a better validation Dice.
    public var patience: Int
    public var patchSize: [Int]
    public var patchesPerCase: Int
    public var foregroundFraction: Double
    public var schedule: LearningRateSchedule
    public var momentum: Float
    public var weightDecay: Float
    public var diceWeight: Double
    public var bceWeight: Double
    public var augmentation: Augmentation
    /// Seeds patch sampling, augmentation and dropout masks (weights are seeded by the network).
    public var seed: UInt64

    /// Defaults follow the paper (SGD, lr 1e-3, weight decay 2e-5, 2 patches per case) and nnU-Net
    /// (a third of the patches on foreground).
    public init(maximumEpochs: Int = 200, patience: Int = 20, patchSize: [Int] = [128, 128, 128], patchesPerCase: Int = 2,
                foregroundFraction: Double = 1.0 / 3.0, schedule: LearningRateSchedule = .constant(1e-3),
                momentum: Float = 0.9, weightDecay: Float = 2e-5, diceWeight: Double = 1, bceWeight: Double = 1,
                augmentation: Augmentation = Augmentation(), seed: UInt64 = 0) {
        self.maximumEpochs = maximumEpochs
        self.patience = patience
        self.patchSize = patchSize
        self.patchesPerCase = patchesPerCase
        self.foregroundFraction = foregroundFraction
        self.schedule = schedule
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.diceWeight = diceWeight
        self.bceWeight = bceWeight
        self.augmentation = augmentation
        self.seed = seed
    }
}

/// What happened in one epoch; the trainer service turns these into progress events.
public struct EpochReport: Sendable, Equatable {
    public var epoch: Int
    /// Mean training loss over the epoch's patches.
    public var loss: Double
    /// Mean Dice (threshold 0.5) on the validation cases; nil without validation cases.
    public var validationDice: Double?
    public var learningRate: Double
    public var seconds: Double
}

/// The outcome of a run: the network holds the best epoch's weights.
public struct TrainingResult {
    public var network: UNet3D
    public var bestEpoch: Int
    public var bestValidationDice: Double?
    public var history: [EpochReport]
    public var stoppedEarly: Bool
}

/// The training loop: each epoch draws patches, augments them, takes one SGD step per patch
/// (batch 1), then scores the validation cases with whole-volume (or windowed) inference. The best
/// epoch by validation Dice (by training loss when there are no validation cases) is kept, and
/// training stops after `patience` epochs without improvement.
public struct Trainer {
    public var config: TrainingConfig
    public var predictor: Predictor
    public var logger: Logger

    public init(config: TrainingConfig, predictor: Predictor = Predictor(), logger: Logger) {
        self.config = config
        self.predictor = predictor
        self.logger = logger
    }

    /// Trains `network` in place and returns it with its best weights restored. Checks for task
    /// cancellation between patches and throws `CancellationError`.
    public func train(_ network: UNet3D, training: [TrainingCase], validation: [TrainingCase],
                      progress: (EpochReport) -> Void = { _ in }) throws -> TrainingResult {
        precondition(!training.isEmpty, "no training cases")
        let sampler = PatchSampler(patchSize: config.patchSize, patchesPerCase: config.patchesPerCase,
                                   foregroundFraction: config.foregroundFraction)
        let loss = DiceBCELoss(diceWeight: config.diceWeight, bceWeight: config.bceWeight)
        let optimizer = SGD(parameters: network.parameters, learningRate: 0, momentum: config.momentum,
                            weightDecay: config.weightDecay)
        var generator = SeededGenerator(seed: config.seed)
        network.reseedDropout(config.seed)
        var history: [EpochReport] = []
        var best: (epoch: Int, score: Double, weights: [Tensor])?
        var stale = 0
        var stoppedEarly = false
        for epoch in 0..<config.maximumEpochs {
            let started = Date()
            let patches = sampler.epoch(training, generator: &generator)
            var lossSum = 0.0
            for (index, patch) in patches.enumerated() {
                try Task.checkCancellation()
                optimizer.learningRate = Float(config.schedule.learningRate(epoch: Double(epoch) + Double(index) / Double(patches.count)))
                let augmented = config.augmentation.apply(to: patch, generator: &generator)
                let (logits, _) = network.forward(augmented.image, phase: .training)
                let (value, gradient) = loss(logits: logits, target: augmented.label)
                network.backward(gradient)
                optimizer.step()
                lossSum += value
            }
            let meanLoss = lossSum / Double(patches.count)
            let validationDice = validation.isEmpty ? nil : validation.map { validationCase in
                let probabilities = predictor.predict(network, image: validationCase.image).probabilities
                return Self.dice(probabilities: probabilities.scalars, label: validationCase.label)
            }.reduce(0, +) / Double(validation.count)
            let report = EpochReport(epoch: epoch, loss: meanLoss, validationDice: validationDice,
                                     learningRate: config.schedule.learningRate(epoch: Double(epoch)),
                                     seconds: Date().timeIntervalSince(started))
            history.append(report)
            logger.debug("epoch finished", metadata: [
                "epoch": "\(epoch)", "loss": "\(meanLoss)",
                "validationDice": "\(validationDice.map { "\($0)" } ?? "none")", "seconds": "\(report.seconds)",
            ])
            progress(report)
            let score = validationDice ?? -meanLoss
            if best.map({ score > $0.score }) ?? true {
                best = (epoch, score, network.parameters.map(\.value))
                stale = 0
            } else {
                stale += 1
                if stale >= config.patience {
                    stoppedEarly = true
                    break
                }
            }
        }
        if let best {
            for (parameter, value) in zip(network.parameters, best.weights) { parameter.value = value }
        }
        return TrainingResult(network: network, bestEpoch: best?.epoch ?? 0,
                              bestValidationDice: best.flatMap { history[$0.epoch].validationDice },
                              history: history, stoppedEarly: stoppedEarly)
    }

    /// Dice of the thresholded (≥ 0.5) probabilities against a binary label; 1 when both are empty.
    public static func dice(probabilities: [Float], label: [UInt8]) -> Double {
        var intersection = 0, predicted = 0, truth = 0
        for i in 0..<label.count {
            let p = probabilities[i] >= 0.5
            let t = label[i] > 0
            if p { predicted += 1 }
            if t { truth += 1 }
            if p && t { intersection += 1 }
        }
        return predicted + truth == 0 ? 1 : 2 * Double(intersection) / Double(predicted + truth)
    }
}
