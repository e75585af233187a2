extension BrainMask {
    /// Voxels above Otsu's threshold (Otsu 1979: the split of a `bins`-bin histogram over the image's
    /// range that maximises the variance between the two classes; the threshold is the upper edge of
    /// the last bin of the darker class), as SimpleITK's `OtsuThreshold(image, 0, 1, 200)`.
    ///
    /// N4's default mask: it keeps head or brain and drops the background whether the image is
    /// skull-stripped (zero outside the brain) or not (air with noise), where a fixed small
    /// threshold would keep the noisy air of an unstripped image in the fit.
    public static func otsu(_ image: Volume, bins: Int = 200) -> LabelVolume {
        precondition(bins >= 2, "Otsu's split needs at least two bins")
        var lowest = Float.infinity
        var highest = -Float.infinity
        for value in image.voxels where value.isFinite {
            lowest = min(lowest, value)
            highest = max(highest, value)
        }
        var mask = [UInt8](repeating: 0, count: image.shape.count)
        guard highest > lowest else { return LabelVolume(shape: image.shape, affine: image.affine, voxels: mask) }
        let width = (Double(highest) - Double(lowest)) / Double(bins)
        var counts = [Double](repeating: 0, count: bins)
        for value in image.voxels where value.isFinite {
            counts[min(Int((Double(value) - Double(lowest)) / width), bins - 1)] += 1
        }
        let total = counts.reduce(0, +)
        let centres = (0..<bins).map { Double(lowest) + (Double($0) + 0.5) * width }
        let totalSum = zip(counts, centres).reduce(0) { $0 + $1.0 * $1.1 }
        var (below, belowSum) = (0.0, 0.0)
        var (best, bestVariance) = (0, -1.0)
        for bin in 0..<(bins - 1) {
            below += counts[bin]
            belowSum += counts[bin] * centres[bin]
            let above = total - below
            guard below > 0, above > 0 else { continue }
            let difference = belowSum / below - (totalSum - belowSum) / above
            let variance = below * above * difference * difference
            if variance > bestVariance { (best, bestVariance) = (bin, variance) }
        }
        let threshold = Double(lowest) + Double(best + 1) * width
        for (index, value) in image.voxels.enumerated() where Double(value) > threshold { mask[index] = 1 }
        return LabelVolume(shape: image.shape, affine: image.affine, voxels: mask)
    }
}
