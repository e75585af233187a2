/// How a voxel-wise uncertainty map becomes one score per case.
public enum VoxelAggregation: Sendable, Equatable, Hashable, Codable {
    /// The mean over all voxels (the paper's bootstrap score).
    case mean
    /// The mean of the top `fraction` of voxels, at least one (the paper's MC-dropout score uses
    /// 0.1%): a small tumor's uncertainty is not drowned by millions of certain background voxels.
    case topFraction(Double)

    public func aggregate(_ map: UnsafeBufferPointer<Float>) throws -> Double {
        switch self {
        case .mean: try meanOfMap(map)
        case .topFraction(let fraction): try topFractionMean(map, fraction: fraction)
        }
    }

    public func aggregate(_ map: [Float]) throws -> Double {
        try map.withUnsafeBufferPointer { try aggregate($0) }
    }
}

/// The mean of a map, accumulated in Double so that millions of voxels do not lose digits.
func meanOfMap(_ map: UnsafeBufferPointer<Float>) throws -> Double {
    guard !map.isEmpty else {
        throw ActiveLearningError(.empty, subject: "uncertainty map", detail: "has no voxels")
    }
    var sum = 0.0
    for value in map { sum += Double(value) }
    guard sum.isFinite else {
        throw ActiveLearningError(.nonFiniteValue, subject: "uncertainty map", detail: "contains NaN or infinity")
    }
    return sum / Double(map.count)
}

/// Mean of the top `fraction` of a map (the paper's top-0.1% rule): the m = max(1, ⌈fraction · N⌉)
/// largest values, averaged.
///
/// One pass with a min-heap of the m largest values seen so far: most voxels are rejected by one
/// comparison with the heap's root, so the cost is close to N, and memory is O(m) beyond the map.
public func topFractionMean(_ map: UnsafeBufferPointer<Float>, fraction: Double = 0.001) throws -> Double {
    guard fraction > 0, fraction <= 1 else {
        throw ActiveLearningError(
            .invalidParameter, subject: "top fraction", detail: "must be in (0, 1], got \(fraction)")
    }
    guard !map.isEmpty else {
        throw ActiveLearningError(.empty, subject: "uncertainty map", detail: "has no voxels")
    }
    let kept = max(1, Int((fraction * Double(map.count)).rounded(.up)))
    var heap = BinaryHeap(Array(map.prefix(kept)), isHigherPriority: { (a: Float, b: Float) in a < b })
    var threshold = heap.root!
    for value in map.dropFirst(kept) where value > threshold {
        heap.replaceRoot(with: value)
        threshold = heap.root!
    }
    let sum = heap.elements.reduce(0.0) { $0 + Double($1) }
    guard sum.isFinite, !map.contains(where: \.isNaN) else {
        throw ActiveLearningError(.nonFiniteValue, subject: "uncertainty map", detail: "contains NaN or infinity")
    }
    return sum / Double(kept)
}
