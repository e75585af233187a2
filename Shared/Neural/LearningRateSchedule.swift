import Foundation

/// The learning rate as a function of the (fractional) epoch.
public enum LearningRateSchedule: Sendable, Equatable, Codable {
    case constant(Double)
    /// SGDR (Loshchilov and Hutter, 2017) as in PyTorch's `CosineAnnealingWarmRestarts`: within a
    /// cycle of length `Tᵢ` (first `t0` epochs, each next cycle `tMult` times longer) the rate falls
    /// from `base` to `minimum` along half a cosine; an optional linear warm-up of `warmupEpochs`
    /// rises from `base / warmupEpochs` to `base` first and shifts the cycles by its length.
    case cosineWarmRestarts(base: Double, t0: Double, tMult: Double, minimum: Double, warmupEpochs: Double)

    public func learningRate(epoch: Double) -> Double {
        switch self {
        case .constant(let rate):
            return rate
        case .cosineWarmRestarts(let base, let t0, let tMult, let minimum, let warmup):
            if epoch < warmup {
                return base * (epoch + 1) / warmup
            }
            var t = epoch - warmup
            var cycle = t0
            if tMult == 1 {
                t = t.truncatingRemainder(dividingBy: t0)
            } else {
                while t >= cycle {
                    t -= cycle
                    cycle *= tMult
                }
            }
            return minimum + (base - minimum) * (1 + cos(Double.pi * t / cycle)) / 2
        }
    }
}
