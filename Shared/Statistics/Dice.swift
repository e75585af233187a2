/// The Dice similarity coefficient 2|P ∩ R| / (|P| + |R|) of a prediction P and a reference R.
///
/// Convention: when both masks are empty the prediction is perfect, so Dice = 1 (a tumor-free case
/// predicted tumor-free must not count as a failure, and 0/0 must not poison a mean).
public func dice(prediction: BinaryMask, reference: BinaryMask) throws -> Double {
    guard prediction.dimensions == reference.dimensions else {
        throw StatisticsError(.mismatchedInputs, subject: "Dice",
                              detail: "prediction \(prediction.dimensions) and reference \(reference.dimensions) grids differ")
    }
    var intersection = 0, predicted = 0, actual = 0
    for (p, r) in zip(prediction.voxels, reference.voxels) {
        if p { predicted += 1 }
        if r { actual += 1 }
        if p && r { intersection += 1 }
    }
    if predicted + actual == 0 { return 1 }
    return 2 * Double(intersection) / Double(predicted + actual)
}
