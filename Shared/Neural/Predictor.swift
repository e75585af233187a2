/// Inference on whole volumes of any size.
///
/// Volumes are zero-padded (evenly on both sides) to a multiple of the network's size divisor — and
/// at least the window size when windows are used — predicted, and cropped back.
public struct Predictor: Sendable {
    public var strategy: InferenceStrategy
    /// Test-time mirroring, as nnU-Net predicts by default: the probabilities are the mean over the
    /// eight combinations of flipping the three axes, each flipped back. A network's scattered false
    /// positives differ between the mirrored views and fall below 0.5 in the mean.
    public var mirroring: Bool

    public init(
        strategy: InferenceStrategy = .automatic(maximumVoxels: 1 << 22, window: SlidingWindow(size: [128, 128, 128])),
        mirroring: Bool = false
    ) {
        self.strategy = strategy
        self.mirroring = mirroring
    }

    /// Foreground probabilities `[D, H, W]` (as a `[1, 1, D, H, W]` tensor) of one forward pass (or,
    /// with `mirroring`, of the mean of eight) and the feature vector of the unmirrored pass (for
    /// windows, the mean of the windows' vectors).
    public func predict(
        _ network: UNet3D, image: Tensor, phase: UNet3D.Phase = .evaluation
    ) -> (probabilities: Tensor, features: [Float]) {
        let (maps, features) = predict(network, image: image, passes: 1, phase: phase)
        guard mirroring else { return (maps[0], features) }
        var sum = maps[0]
        let batched = image.reshaped([1] + image.shape)
        for flips in 1..<8 {
            let axes = (0..<3).filter { flips >> $0 & 1 == 1 }
            let mirrored = axes.reduce(batched) { Augmentation.flipped($0, axis: $1) }
            let map = predict(network, image: mirrored.reshaped(image.shape), passes: 1, phase: phase).maps[0]
            sum += axes.reduce(map) { Augmentation.flipped($0, axis: $1) }
        }
        return (sum.map { $0 / 8 }, features)
    }

    /// `passes` forward passes that share everything before the network's first dropout layer (the
    /// encoder and, with the paper's placement, the whole decoder): only the layers from the first
    /// dropout on run once per pass.
    func predict(
        _ network: UNet3D, image: Tensor, passes: Int, phase: UNet3D.Phase
    ) -> (maps: [Tensor], features: [Float]) {
        precondition(
            image.rank == 4 && image.shape[0] == network.config.inputChannels,
            "image must be [\(network.config.inputChannels), D, H, W], got \(image.shape)")
        let size = Array(image.shape[1...])
        switch strategy {
        case .wholeVolume:
            return whole(network, image: image, size: size, passes: passes, phase: phase)
        case .slidingWindow(let window):
            return windows(network, image: image, size: size, window: window, passes: passes, phase: phase)
        case .automatic(let maximumVoxels, let window):
            let divisor = network.config.sizeDivisor
            let padded = size.map { ($0 + divisor - 1) / divisor * divisor }.reduce(1, *)
            return padded <= maximumVoxels
                ? whole(network, image: image, size: size, passes: passes, phase: phase)
                : windows(network, image: image, size: size, window: window, passes: passes, phase: phase)
        }
    }

    private func whole(
        _ network: UNet3D, image: Tensor, size: [Int], passes: Int, phase: UNet3D.Phase
    ) -> ([Tensor], [Float]) {
        let divisor = network.config.sizeDivisor
        let paddedSize = size.map { ($0 + divisor - 1) / divisor * divisor }
        let before = zip(paddedSize, size).map { ($0 - $1) / 2 }
        let input = Self.crop(image.reshaped([1] + image.shape), origin: before.map { -$0 }, size: paddedSize)
        let prefix = network.forwardToFirstDropout(input, phase: phase)
        let maps = (0..<passes).map { _ in
            Self.crop(network.forwardFromFirstDropout(prefix), origin: before, size: size).sigmoid()
        }
        return (maps, prefix.features.scalars)
    }

    private func windows(
        _ network: UNet3D, image: Tensor, size: [Int], window: SlidingWindow, passes: Int,
        phase: UNet3D.Phase
    ) -> ([Tensor], [Float]) {
        let divisor = network.config.sizeDivisor
        precondition(
            window.size.allSatisfy { $0 % divisor == 0 }, "window \(window.size) is not divisible by \(divisor)")
        let paddedSize = zip(size, window.size).map { max($0, $1) }
        let before = zip(paddedSize, size).map { ($0 - $1) / 2 }
        let input = Self.crop(image.reshaped([1] + image.shape), origin: before.map { -$0 }, size: paddedSize)
        let weights = window.weights()
        let voxels = paddedSize.reduce(1, *)
        var sums = [[Float]](repeating: [Float](repeating: 0, count: voxels), count: passes)
        var weightSum = [Float](repeating: 0, count: voxels)
        var featureSum: [Float] = []
        var windowCount = 0
        let (ws, wh, ww) = (window.size[0], window.size[1], window.size[2])
        for z0 in window.starts(length: paddedSize[0], size: ws) {
            for y0 in window.starts(length: paddedSize[1], size: wh) {
                for x0 in window.starts(length: paddedSize[2], size: ww) {
                    let patch = Self.crop(input, origin: [z0, y0, x0], size: window.size)
                    let prefix = network.forwardToFirstDropout(patch, phase: phase)
                    featureSum =
                        featureSum.isEmpty ? prefix.features.scalars : zip(featureSum, prefix.features.scalars).map(+)
                    windowCount += 1
                    Self.accumulate(
                        weights, into: &weightSum, origin: [z0, y0, x0], window: window.size, volume: paddedSize)
                    for pass in 0..<passes {
                        let probabilities = network.forwardFromFirstDropout(prefix).sigmoid()
                        var weighted = probabilities.scalars
                        for i in 0..<weighted.count { weighted[i] *= weights[i] }
                        Self.accumulate(
                            weighted, into: &sums[pass], origin: [z0, y0, x0], window: window.size, volume: paddedSize)
                    }
                }
            }
        }
        let maps = sums.map { sum in
            let blended = Tensor(shape: [1, 1] + paddedSize, scalars: zip(sum, weightSum).map { $0 / $1 })
            return Self.crop(blended, origin: before, size: size)
        }
        return (maps, featureSum.map { $0 / Float(windowCount) })
    }

    /// Adds a window's values into the volume-sized `target` at `origin`.
    private static func accumulate(
        _ values: [Float], into target: inout [Float], origin: [Int], window: [Int], volume: [Int]
    ) {
        var i = 0
        for z in 0..<window[0] {
            for y in 0..<window[1] {
                let row = ((origin[0] + z) * volume[1] + origin[1] + y) * volume[2] + origin[2]
                for x in 0..<window[2] {
                    target[row + x] += values[i]
                    i += 1
                }
            }
        }
    }

    /// The `[N, C] + size` block of an NCDHW tensor with its corner at `origin` (zero outside).
    static func crop(_ t: Tensor, origin: [Int], size: [Int]) -> Tensor {
        let source = t.spatial
        if origin == [0, 0, 0] && source == size { return t }
        let planes = t.batch * t.channels
        var out = Tensor(zeros: [t.batch, t.channels] + size)
        let sourceVoxels = source.reduce(1, *), targetVoxels = size.reduce(1, *)
        let x0 = max(0, -origin[2]), x1 = min(size[2], source[2] - origin[2])
        guard x0 < x1 else { return out }
        out.scalars.withUnsafeMutableBufferPointer { o in
            t.scalars.withUnsafeBufferPointer { s in
                for p in 0..<planes {
                    for z in 0..<size[0] {
                        let sz = origin[0] + z
                        guard sz >= 0, sz < source[0] else { continue }
                        for y in 0..<size[1] {
                            let sy = origin[1] + y
                            guard sy >= 0, sy < source[1] else { continue }
                            let from = p * sourceVoxels + (sz * source[1] + sy) * source[2] + origin[2]
                            let to = p * targetVoxels + (z * size[1] + y) * size[2]
                            for x in x0..<x1 { o[to + x] = s[from + x] }
                        }
                    }
                }
            }
        }
        return out
    }
}
