import Domain

/// The Dice similarity coefficient of a prediction and a reference mask (``DiceOverlap``: 1 when
/// both are empty).
public func dice(prediction: BinaryMask, reference: BinaryMask) throws -> Double {
    guard prediction.dimensions == reference.dimensions else {
        throw StatisticsError(
            .mismatchedInputs, subject: "Dice",
            detail: "prediction \(prediction.dimensions) and reference \(reference.dimensions) grids differ")
    }
    var overlap = DiceOverlap()
    for (p, r) in zip(prediction.voxels, reference.voxels) { overlap.add(predicted: p, reference: r) }
    return overlap.dice
}
