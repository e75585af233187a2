import Foundation

/// How a volume is fed to the network at inference time.
public enum InferenceStrategy: Sendable, Equatable {
    /// The whole (padded) volume in one pass, as the paper does at test time.
    case wholeVolume
    /// Overlapping windows whose predictions are blended.
    case slidingWindow(SlidingWindow)
    /// The whole volume when it has at most `maximumVoxels` voxels, windows otherwise.
    case automatic(maximumVoxels: Int, window: SlidingWindow)
}

/// Overlapping-window inference settings.
public struct SlidingWindow: Sendable, Equatable {
    public enum Blending: Sendable, Equatable {
        /// Every voxel of a window counts equally.
        case constant
        /// Window centres count more than borders (nnU-Net's importance map, σ = window size · `sigmaScale`),
        /// which hides the seams where the network sees little context.
        case gaussian(sigmaScale: Double)
    }

    public var size: [Int]
    /// Fraction of a window shared with its neighbour along each axis.
    public var overlap: Double
    public var blending: Blending

    public init(size: [Int], overlap: Double = 0.75, blending: Blending = .gaussian(sigmaScale: 0.125)) {
        precondition(size.count == 3 && overlap >= 0 && overlap < 1)
        self.size = size
        self.overlap = overlap
        self.blending = blending
    }

    /// Window corners along an axis of `length` voxels: evenly spaced from 0 to `length − size`
    /// with steps of at most `size·(1 − overlap)`.
    func starts(length: Int, size: Int) -> [Int] {
        guard length > size else { return [0] }
        let step = max(1.0, Double(size) * (1 - overlap))
        let count = Int(ceil(Double(length - size) / step)) + 1
        return (0..<count).map { Int((Double($0) * Double(length - size) / Double(count - 1)).rounded()) }
    }

    /// The blending weight of each window voxel, `size[0]·size[1]·size[2]` values.
    func weights() -> [Float] {
        let voxels = size.reduce(1, *)
        guard case .gaussian(let sigmaScale) = blending else { return [Float](repeating: 1, count: voxels) }
        let axes = size.map { n -> [Double] in
            let sigma = Double(n) * sigmaScale, centre = Double(n - 1) / 2
            return (0..<n).map { exp(-(Double($0) - centre) * (Double($0) - centre) / (2 * sigma * sigma)) }
        }
        var w = [Float](repeating: 0, count: voxels)
        var i = 0
        for z in 0..<size[0] {
            for y in 0..<size[1] {
                for x in 0..<size[2] {
                    // Floor the weights so border voxels covered by one window still count.
                    w[i] = Float(max(axes[0][z] * axes[1][y] * axes[2][x], 1e-3))
                    i += 1
                }
            }
        }
        return w
    }
}
