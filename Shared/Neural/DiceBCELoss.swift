import Foundation

/// The joint soft-Dice and binary cross-entropy loss on logits (the paper's Dice + cross-entropy).
///
/// `loss = diceWeight · (1 − Dice) + bceWeight · BCE`, where BCE is the mean over voxels of
/// `max(z, 0) − z·y + log(1 + e^(−|z|))` (finite for any logit) and the soft Dice of each batch item
/// is `(2 Σ p·y + smooth) / (Σ p + Σ y + smooth)` with `p = σ(z)`, averaged over the batch — or,
/// with `pooledOverBatch`, one Dice whose sums run over every item of the batch (nnU-Net's batch
/// Dice).
///
/// A per-item Dice is flat on an item without foreground (`smooth / (Σ p + smooth)` has a gradient
/// of about `smooth / (Σ p)²`), so false positives there are penalised by the cross-entropy alone;
/// pooled over a batch that holds foreground, they enlarge the Dice denominator.
public struct DiceBCELoss: Sendable {
    public var diceWeight: Double
    public var bceWeight: Double
    /// One Dice over the whole batch instead of the mean of per-item Dice.
    public var pooledOverBatch: Bool
    /// Keeps the Dice term defined (and equal to 1) on patches without foreground.
    public var smooth: Double

    public init(diceWeight: Double = 1, bceWeight: Double = 1, pooledOverBatch: Bool = false, smooth: Double = 1e-5) {
        self.diceWeight = diceWeight
        self.bceWeight = bceWeight
        self.pooledOverBatch = pooledOverBatch
        self.smooth = smooth
    }

    /// The loss value and its gradient with respect to the logits.
    public func callAsFunction(logits: Tensor, target: Tensor) -> (loss: Double, gradient: Tensor) {
        precondition(logits.shape == target.shape, "logits \(logits.shape) vs target \(target.shape)")
        // A pooled Dice is the per-item formula over one item that spans the whole batch.
        let batch = pooledOverBatch ? 1 : logits.batch
        let size = logits.count / batch
        let total = Double(logits.count)
        var gradient = Tensor(zeros: logits.shape)
        var bce = 0.0
        var diceLoss = 0.0
        logits.scalars.withUnsafeBufferPointer { z in
            target.scalars.withUnsafeBufferPointer { y in
                gradient.scalars.withUnsafeMutableBufferPointer { g in
                    for n in 0..<batch {
                        let base = n * size
                        var intersection = 0.0, sumP = 0.0, sumY = 0.0
                        for i in base..<(base + size) {
                            let zi = Double(z[i]), yi = Double(y[i])
                            bce += max(zi, 0) - zi * yi + log1p(exp(-abs(zi)))
                            let p = Double(Tensor.sigmoid(z[i]))
                            intersection += p * yi
                            sumP += p
                            sumY += yi
                        }
                        let numerator = 2 * intersection + smooth
                        let denominator = sumP + sumY + smooth
                        diceLoss += 1 - numerator / denominator
                        // d(1 − Dice)/dp_i = −(2 y_i · denominator − numerator) / denominator², times
                        // dp/dz = p(1 − p), averaged over the batch.
                        let scale = diceWeight / Double(batch) / (denominator * denominator)
                        for i in base..<(base + size) {
                            let p = Double(Tensor.sigmoid(z[i])), yi = Double(y[i])
                            let dDice = -(2 * yi * denominator - numerator) * scale * p * (1 - p)
                            let dBCE = bceWeight * (p - yi) / total
                            g[i] = Float(dDice + dBCE)
                        }
                    }
                }
            }
        }
        let loss = diceWeight * diceLoss / Double(batch) + bceWeight * bce / total
        return (loss, gradient)
    }
}
