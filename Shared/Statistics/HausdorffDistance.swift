import Foundation

/// The 95th-percentile Hausdorff distance (HD95, mm) between a prediction and a reference.
///
/// Surfaces are the foreground voxels with a background face neighbour (`BinaryMask.surface`).
/// With D(A→B) the distances from each surface voxel of A to the nearest surface voxel of B,
/// measured in mm with the grid's spacing, HD95 is the 95th percentile (linear interpolation, as
/// numpy's default) of the pooled symmetric set D(P→R) ∪ D(R→P). This is the definition of
/// MedPy's `hd95`; MONAI's `compute_hausdorff_distance(percentile=95)` instead takes the larger of
/// the two directed percentiles, which is never smaller.
///
/// Empty masks:
/// - both empty → 0: the prediction agrees perfectly, as with Dice = 1 (MONAI returns NaN here,
///   which would silently drop tumor-free cases from a mean);
/// - exactly one empty → +∞, as MONAI: no finite distance describes a missed or hallucinated
///   tumor, and the caller decides how to summarise it.
public func hausdorffDistance95(prediction: BinaryMask, reference: BinaryMask) throws -> Double {
    guard prediction.dimensions == reference.dimensions else {
        throw StatisticsError(
            .mismatchedInputs, subject: "HD95",
            detail: "prediction \(prediction.dimensions) and reference \(reference.dimensions) grids differ")
    }
    guard prediction.spacing == reference.spacing else {
        throw StatisticsError(
            .mismatchedInputs, subject: "HD95",
            detail: "prediction spacing \(prediction.spacing) and reference spacing \(reference.spacing) differ")
    }
    let predictedSurface = prediction.surface()
    let referenceSurface = reference.surface()
    let predictionEmpty = !predictedSurface.contains(true)
    let referenceEmpty = !referenceSurface.contains(true)
    if predictionEmpty && referenceEmpty { return 0 }
    if predictionEmpty || referenceEmpty { return .infinity }

    let toReference = EuclideanDistanceTransform.squaredDistances(
        toSites: referenceSurface, dimensions: reference.dimensions, spacing: reference.spacing)
    let toPrediction = EuclideanDistanceTransform.squaredDistances(
        toSites: predictedSurface, dimensions: prediction.dimensions, spacing: prediction.spacing)
    var distances: [Double] = []
    for i in predictedSurface.indices {
        if predictedSurface[i] { distances.append(toReference[i].squareRoot()) }
        if referenceSurface[i] { distances.append(toPrediction[i].squareRoot()) }
    }
    return percentile(distances, 95)
}

/// The q-th percentile (0 ≤ q ≤ 100) with linear interpolation between order statistics
/// (numpy's default `method="linear"`); `values` must not be empty.
public func percentile(_ values: [Double], _ q: Double) -> Double {
    let sorted = values.sorted()
    let position = Double(sorted.count - 1) * q / 100
    let lower = Int(position.rounded(.down))
    let upper = min(lower + 1, sorted.count - 1)
    let fraction = position - Double(lower)
    return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
}
