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
    /// SGD steps per epoch, each on `batchSize` patches of cases drawn at random, as nnU-Net's
    /// fixed 250 iterations; nil takes `patchesPerCase` patches of every case instead, so that an
    /// epoch's cost grows with the training set. A fixed count gives a model of 6 cases as many steps
    /// as one of 40.
    public var iterationsPerEpoch: Int?
    /// Patches per SGD step. With more than one, the loss's Dice term is pooled over the batch
    /// (nnU-Net's batch Dice), so that false positives in a patch without tumor enlarge the Dice
    /// denominator instead of meeting a Dice term that is flat there.
    public var batchSize: Int
    /// Which epoch's weights the run returns.
    public var selection: ModelSelection
    /// Under `.finalEpoch`, the validation cases are scored every this many epochs and after the
    /// last (for progress reports only); under `.bestValidation` every epoch is scored, since each
    /// may be the one kept.
    public var validationInterval: Int
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
    public init(
        maximumEpochs: Int = 200, patience: Int = 20, patchSize: [Int] = [128, 128, 128], patchesPerCase: Int = 2,
        iterationsPerEpoch: Int? = nil, batchSize: Int = 1, selection: ModelSelection = .bestValidation,
        validationInterval: Int = 1, foregroundFraction: Double = 1.0 / 3.0,
        schedule: LearningRateSchedule = .constant(1e-3),
        momentum: Float = 0.9, weightDecay: Float = 2e-5, diceWeight: Double = 1, bceWeight: Double = 1,
        augmentation: Augmentation = Augmentation(), seed: UInt64 = 0
    ) {
        self.maximumEpochs = maximumEpochs
        self.patience = patience
        self.patchSize = patchSize
        self.patchesPerCase = patchesPerCase
        self.iterationsPerEpoch = iterationsPerEpoch
        self.batchSize = max(1, batchSize)
        self.selection = selection
        self.validationInterval = max(1, validationInterval)
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
    /// Optimiser steps (batches of patches) the epoch took.
    public var steps: Int
    /// Mean training loss over the epoch's patches.
    public var loss: Double
    /// Dice (threshold 0.5) pooled over the validation cases (`PooledDice`); nil without
    /// validation cases or in an epoch that was not validated.
    public var validationDice: Double?
    public var learningRate: Double
    public var seconds: Double
}

/// Which epoch of a run is kept.
public enum ModelSelection: String, Sendable, Codable, Equatable {
    /// The epoch with the best validation Dice, with early stopping after `patience` epochs
    /// without improvement (the paper's recipe); needs enough validation cases to rank epochs.
    case bestValidation
    /// The last epoch, as nnU-Net keeps its final checkpoint: with a schedule that anneals the
    /// learning rate to its minimum it is the settled model, and no ranking on a handful of
    /// validation cases can pick a worse one by chance.
    case finalEpoch
}

/// The outcome of a run: the network holds the selected epoch's weights.
public struct TrainingResult {
    public var network: UNet3D
    public var bestEpoch: Int
    public var bestValidationDice: Double?
    public var history: [EpochReport]
    public var stoppedEarly: Bool
}

/// The training loop: each epoch draws patches, augments them, takes one SGD step per
/// `batchSize` of them, then scores the validation cases with whole-volume (or windowed) inference. Under
/// `ModelSelection.bestValidation` the best epoch by validation Dice pooled over the cases (by
/// training loss when there are no validation cases) is kept, and training stops after `patience`
/// epochs without improvement; under `.finalEpoch` every epoch runs and the last is kept.
///
/// The pooled Dice scores an all-background epoch 0 whenever a validation case has a tumor. The
/// mean of per-case Dice would not: a tumor-free case predicted empty counts 1, so on a handful
/// of validation cases an epoch that predicts nothing scores the tumor-free share and can be kept
/// as the best.
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
    public func train(
        _ network: UNet3D, training: [TrainingCase], validation: [TrainingCase],
        progress: (EpochReport) -> Void = { _ in }
    ) throws -> TrainingResult {
        precondition(!training.isEmpty, "no training cases")
        let sampler = PatchSampler(
            patchSize: config.patchSize, patchesPerCase: config.patchesPerCase,
            foregroundFraction: config.foregroundFraction)
        let loss = DiceBCELoss(
            diceWeight: config.diceWeight, bceWeight: config.bceWeight,
            pooledOverBatch: config.batchSize > 1)
        let optimizer = SGD(
            parameters: network.parameters, learningRate: 0, momentum: config.momentum,
            weightDecay: config.weightDecay)
        var generator = SeededGenerator(seed: config.seed)
        network.reseedDropout(config.seed)
        var history: [EpochReport] = []
        var best: (epoch: Int, score: Double, weights: [Tensor])?
        var stale = 0
        var stoppedEarly = false
        for epoch in 0..<config.maximumEpochs {
            let started = Date()
            let patches =
                config.iterationsPerEpoch.map {
                    sampler.epoch(training, count: $0 * config.batchSize, generator: &generator)
                }
                ?? sampler.epoch(training, generator: &generator)
            let steps = stride(from: 0, to: patches.count, by: config.batchSize).map {
                patches[$0..<min($0 + config.batchSize, patches.count)]
            }
            var lossSum = 0.0
            for (index, step) in steps.enumerated() {
                try Task.checkCancellation()
                optimizer.learningRate = Float(
                    config.schedule.learningRate(epoch: Double(epoch) + Double(index) / Double(steps.count)))
                let augmented = step.map { config.augmentation.apply(to: $0, generator: &generator) }
                let (logits, _) = network.forward(Tensor(stackingBatches: augmented.map(\.image)), phase: .training)
                let (value, gradient) = loss(logits: logits, target: Tensor(stackingBatches: augmented.map(\.label)))
                network.backward(gradient)
                optimizer.step()
                lossSum += value
            }
            let meanLoss = lossSum / Double(steps.count)
            let validates =
                config.selection == .bestValidation || epoch == config.maximumEpochs - 1
                || (epoch + 1) % config.validationInterval == 0
            let validationDice =
                validation.isEmpty || !validates
                ? nil
                : validation.reduce(into: PooledDice()) { pooled, validationCase in
                    let probabilities = predictor.predict(network, image: validationCase.image).probabilities
                    pooled.add(probabilities: probabilities.scalars, label: validationCase.label)
                }.value
            let report = EpochReport(
                epoch: epoch, steps: steps.count, loss: meanLoss, validationDice: validationDice,
                learningRate: config.schedule.learningRate(epoch: Double(epoch)),
                seconds: Date().timeIntervalSince(started))
            history.append(report)
            logger.debug(
                "epoch finished",
                metadata: [
                    "epoch": "\(epoch)", "loss": "\(meanLoss)",
                    "validationDice": "\(validationDice.map { "\($0)" } ?? "none")", "seconds": "\(report.seconds)",
                ])
            progress(report)
            let score = validationDice ?? -meanLoss
            if config.selection == .finalEpoch {
                continue
            }
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
        if config.selection == .finalEpoch {
            return TrainingResult(
                network: network, bestEpoch: history.count - 1,
                bestValidationDice: history.last?.validationDice, history: history, stoppedEarly: false)
        }
        if let best {
            for (parameter, value) in zip(network.parameters, best.weights) { parameter.value = value }
        }
        return TrainingResult(
            network: network, bestEpoch: best?.epoch ?? 0,
            bestValidationDice: best.flatMap { history[$0.epoch].validationDice },
            history: history, stoppedEarly: stoppedEarly)
    }

    /// Dice of the thresholded (≥ 0.5) probabilities against a binary label; 1 when both are empty.
    public static func dice(probabilities: [Float], label: [UInt8]) -> Double {
        var pooled = PooledDice()
        pooled.add(probabilities: probabilities, label: label)
        return pooled.value
    }
}
