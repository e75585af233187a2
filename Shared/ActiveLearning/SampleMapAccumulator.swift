import Foundation

/// Voxel-wise moments of T sigmoid probability maps (MC-dropout passes or bootstrap members),
/// accumulated one map at a time so that the T maps never have to be held together.
///
/// Welford's update (Welford 1962) keeps, per voxel, the running mean p̄ and the sum of squared
/// deviations M₂:
///
///     δ = p_t − p̄_{t−1};  p̄_t = p̄_{t−1} + δ / t;  M₂ += δ · (p_t − p̄_t)
///
/// which is numerically stable where the textbook Σp² − (Σp)²/T cancels. The population variance
/// is M₂ / T (numpy's `var`, ddof = 0). When entropy is tracked, Σ_t H(p_t) is kept as well, for
/// BALD. Memory is two (three) Float maps whatever T is.
public struct SampleMapAccumulator: Sendable {
    public let voxelCount: Int
    public private(set) var sampleCount = 0
    private var mean: [Float]
    private var squaredDeviations: [Float]
    private var entropySum: [Float]?

    /// - Parameter tracksEntropy: keep Σ_t H(p_t) for `mutualInformation()`; costs two logarithms
    ///   per voxel and sample, so it is off unless BALD is wanted.
    public init(voxelCount: Int, tracksEntropy: Bool = false) throws {
        guard voxelCount > 0 else {
            throw ActiveLearningError(.empty, subject: "sample maps", detail: "need at least one voxel")
        }
        self.voxelCount = voxelCount
        mean = [Float](repeating: 0, count: voxelCount)
        squaredDeviations = [Float](repeating: 0, count: voxelCount)
        entropySum = tracksEntropy ? [Float](repeating: 0, count: voxelCount) : nil
    }

    /// Adds one probability map (values in [0, 1]) of `voxelCount` voxels.
    public mutating func add(_ map: UnsafeBufferPointer<Float>) throws {
        guard map.count == voxelCount else {
            throw ActiveLearningError(
                .mismatchedSizes, subject: "sample map \(sampleCount + 1)",
                detail: "has \(map.count) voxels, expected \(voxelCount)")
        }
        sampleCount += 1
        let weight = 1 / Float(sampleCount)
        mean.withUnsafeMutableBufferPointer { mean in
            squaredDeviations.withUnsafeMutableBufferPointer { m2 in
                for i in 0..<voxelCount {
                    let p = map[i]
                    let delta = p - mean[i]
                    mean[i] += delta * weight
                    m2[i] += delta * (p - mean[i])
                }
            }
        }
        if entropySum != nil {
            entropySum!.withUnsafeMutableBufferPointer { sum in
                for i in 0..<voxelCount { sum[i] += binaryEntropy(map[i]) }
            }
        }
    }

    public mutating func add(_ map: [Float]) throws {
        try map.withUnsafeBufferPointer { try add($0) }
    }

    /// The mean probability map p̄.
    public func meanMap() throws -> [Float] {
        try requireSamples("mean map")
        return mean
    }

    /// The population variance map M₂ / T.
    public func varianceMap() throws -> [Float] {
        try requireSamples("variance map")
        let scale = 1 / Float(sampleCount)
        return squaredDeviations.map { $0 * scale }
    }

    /// The predictive entropy map H(p̄) (nats).
    public func predictiveEntropyMap() throws -> [Float] {
        try requireSamples("predictive entropy map")
        return mean.map(binaryEntropy)
    }

    /// The mutual-information (BALD) map H(p̄) − (1/T) Σ_t H(p_t), clamped at 0 where rounding makes a
    /// mathematically non-negative value slightly negative.
    public func mutualInformationMap() throws -> [Float] {
        try requireSamples("mutual information map")
        guard let entropySum else {
            throw ActiveLearningError(
                .invalidParameter, subject: "mutual information map",
                detail: "the accumulator was created without tracksEntropy")
        }
        let scale = 1 / Float(sampleCount)
        return zip(mean, entropySum).map { max(0, binaryEntropy($0) - $1 * scale) }
    }

    private func requireSamples(_ what: String) throws {
        guard sampleCount > 0 else {
            throw ActiveLearningError(.empty, subject: what, detail: "no sample map has been added")
        }
    }
}

/// H(p) = −p ln p − (1 − p) ln(1 − p) in nats, with 0 · ln 0 = 0.
func binaryEntropy(_ p: Float) -> Float {
    var h: Float = 0
    if p > 0 { h -= p * log(p) }
    if p < 1 { h -= (1 - p) * log(1 - p) }
    return h
}
