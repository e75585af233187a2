import SeededRandom

/// A 3D U-Net (Çiçek et al., 2016) with GroupNorm, trilinear upsampling and one sigmoid output.
///
/// Encoder level `l` applies `convolutionsPerLevel` conv–GroupNorm–ReLU units with
/// `baseChannels·2^l` channels, then 2×2×2 max pooling; each decoder level upsamples trilinearly by
/// 2, concatenates `[upsampled, skip]` on the channel axis (inside the first convolution, which
/// reads both blocks) and applies the same units; a 1×1×1
/// convolution with bias gives the logit. The deepest encoder output, averaged over x, y, z, is the
/// case's feature vector for redundancy restriction.
public final class UNet3D {
    /// Which dropout behaviour a forward pass wants.
    public enum Phase: Sendable {
        case training
        /// Deterministic prediction: dropout off.
        case evaluation
        /// MC-dropout sampling: dropout on unless the network has none.
        case sampling
    }

    public let config: UNet3DConfig
    let encoders: [[ConvNormReLU]]
    let decoders: [[ConvNormReLU]]
    let pools: [MaxPool3D]
    let upsamplers: [TrilinearUpsample]
    let dropouts: [Dropout]
    public let head: Conv3D
    /// The arithmetic of every 3×3×3 convolution (the head stays fp32); a compute setting, not part
    /// of the architecture, so checkpoints do not carry it.
    public var precision: Precision = .fp32 {
        didSet { for unit in (encoders + decoders).joined() { unit.conv.precision = precision } }
    }

    /// Builds the network with He-initialised weights drawn from `seed` (the same seed gives
    /// bit-identical weights); `seed` also seeds the dropout masks.
    public convenience init(config: UNet3DConfig, seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        self.init(config: config, dropoutSeed: seed) { inChannels, outChannels, kernelSize, bias in
            Conv3D(
                inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize, bias: bias,
                generator: &generator)
        }
    }

    /// Builds the network with zero weights, for a checkpoint to fill: drawing its He weights only
    /// to overwrite them took a tenth of a scorer's time per job on the `cpu` network.
    convenience init(weightsToLoad config: UNet3DConfig) {
        self.init(config: config, dropoutSeed: 0) { inChannels, outChannels, kernelSize, bias in
            Conv3D(inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize, bias: bias)
        }
    }

    /// The layers of `config`, each convolution made by `convolution(in, out, kernel, bias)` in
    /// order from the first encoder unit to the head.
    private init(
        config: UNet3DConfig, dropoutSeed seed: UInt64, convolution: (Int, Int, Int, Bool) -> Conv3D
    ) {
        precondition(config.levels >= 1 && config.convolutionsPerLevel >= 1)
        self.config = config
        func unit(_ inChannels: Int, _ outChannels: Int) -> ConvNormReLU {
            ConvNormReLU(
                conv: convolution(inChannels, outChannels, 3, config.convolutionBias), groups: config.groupNormGroups)
        }
        var encoders: [[ConvNormReLU]] = []
        for level in 0..<config.levels {
            let channels = config.channels(atLevel: level)
            var inChannels = level == 0 ? config.inputChannels : config.channels(atLevel: level - 1)
            var units: [ConvNormReLU] = []
            for _ in 0..<config.convolutionsPerLevel {
                units.append(unit(inChannels, channels))
                inChannels = channels
            }
            encoders.append(units)
        }
        encoders[0][0].conv.computesInputGradient = false
        var decoders: [[ConvNormReLU]] = []
        for level in stride(from: config.levels - 2, through: 0, by: -1) {
            let channels = config.channels(atLevel: level)
            var inChannels = config.channels(atLevel: level + 1) + channels
            var units: [ConvNormReLU] = []
            for _ in 0..<config.convolutionsPerLevel {
                units.append(unit(inChannels, channels))
                inChannels = channels
            }
            decoders.append(units)
        }
        head = convolution(config.baseChannels, 1, 1, true)
        let dropoutCount: Int
        switch (config.dropoutMode, config.dropoutPlacement) {
        case (.none, _): dropoutCount = 0
        case (_, .lastDecoderBlock): dropoutCount = 1
        case (_, .everyDecoderBlock): dropoutCount = max(1, config.levels - 1)
        }
        dropouts = (0..<dropoutCount).map { Dropout(rate: config.dropoutRate, seed: seed &+ 0x5EED &+ UInt64($0)) }
        self.encoders = encoders
        self.decoders = decoders
        pools = (0..<(config.levels - 1)).map { _ in MaxPool3D() }
        upsamplers = (0..<(config.levels - 1)).map { _ in TrilinearUpsample() }
    }

    /// oneDNN's kernels for the network's most expensive convolution (the first one of the
    /// full-resolution decoder level) on a batch of `batch` `spatial` patches, for benchmarks and
    /// logs (after a training step of that batch, they include the backward passes).
    public func widestConvolutionKernels(batch: Int = 1, spatial: [Int]) -> String {
        let conv = decoders.last?[0].conv ?? encoders[0][0].conv
        return conv.implementation(forInputShape: [batch] + spatial + [conv.inChannels])
    }

    /// Parameters with names that mirror a PyTorch module tree (docs/neural-engine-figures.md):
    /// `encoders.{level}.{unit}.conv.weight`, `….norm.weight|bias`, `decoders.{k}.{unit}…` with
    /// `k = 0` the deepest decoder level, and `head.weight|bias`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        func unitParameters(_ prefix: String, _ unit: ConvNormReLU) -> [(String, Parameter)] {
            var list = [("\(prefix).conv.weight", unit.conv.weight)]
            if let bias = unit.conv.bias { list.append(("\(prefix).conv.bias", bias)) }
            list.append(("\(prefix).norm.weight", unit.norm.scale))
            list.append(("\(prefix).norm.bias", unit.norm.shift))
            return list
        }
        var list: [(String, Parameter)] = []
        for (l, units) in encoders.enumerated() {
            for (i, unit) in units.enumerated() { list += unitParameters("encoders.\(l).\(i)", unit) }
        }
        for (k, units) in decoders.enumerated() {
            for (i, unit) in units.enumerated() { list += unitParameters("decoders.\(k).\(i)", unit) }
        }
        list.append(("head.weight", head.weight))
        if let bias = head.bias { list.append(("head.bias", bias)) }
        return list.map { (name: $0.0, parameter: $0.1) }
    }

    public var parameters: [Parameter] { namedParameters.map(\.parameter) }

    /// Layers that keep inputs for the backward pass; inference turns that off so a whole-volume
    /// pass holds only the tensors still needed.
    private var cachingLayers: [any RecordingLayer] {
        var layers: [any RecordingLayer] = []
        for unit in (encoders + decoders).joined() { layers += [unit.conv, unit.norm] }
        layers += pools as [any RecordingLayer]
        layers += dropouts as [any RecordingLayer]
        layers.append(head)
        return layers
    }

    /// Reseeds the dropout masks, so that MC passes and training runs are reproducible.
    public func reseedDropout(_ seed: UInt64) {
        for (i, dropout) in dropouts.enumerated() { dropout.generator = SeededGenerator(seed: seed, stream: UInt64(i)) }
    }

    /// Logits `[N, 1, D, H, W]` and the feature vectors `[N, C_deepest]` for `input` `[N, C, D, H, W]`
    /// (sizes divisible by `config.sizeDivisor`). Inside, the activations are channels-last
    /// (`Tensor+ChannelsLast.swift`); a one-channel output has the same scalars in both layouts.
    public func forward(_ input: Tensor, phase: Phase) -> (logits: Tensor, features: Tensor) {
        let prefix = forwardToFirstDropout(input, phase: phase)
        let features = prefix.features
        return (forwardFromFirstDropout(consume prefix), features)
    }

    /// The activations of a forward pass when it reaches its first dropout layer. Everything before it
    /// is deterministic, so MC-dropout sampling computes it once and repeats only the rest.
    struct DeterministicPrefix {
        var activation: Tensor
        var skips: [Tensor]
        var features: Tensor
        /// The first decoder block not yet applied.
        var nextDecoder: Int
    }

    /// Sets the dropout switches and backward-pass recording for `phase`, then runs the encoder and
    /// the decoder blocks up to the first dropout layer.
    func forwardToFirstDropout(_ input: Tensor, phase: Phase) -> DeterministicPrefix {
        precondition(
            input.rank == 5 && input.channels == config.inputChannels,
            "UNet3D expects [N, \(config.inputChannels), D, H, W], got \(input.shape)")
        precondition(
            input.spatial.allSatisfy { $0 % config.sizeDivisor == 0 },
            "spatial size \(input.spatial) is not divisible by \(config.sizeDivisor)")
        let dropoutOn: Bool
        switch phase {
        case .training: dropoutOn = config.dropoutMode == .trainAndTest
        case .evaluation: dropoutOn = false
        case .sampling: dropoutOn = config.dropoutMode != .none
        }
        for dropout in dropouts { dropout.isActive = dropoutOn }
        for layer in cachingLayers { layer.recordsForBackward = phase == .training }
        var skips: [Tensor] = []
        var h = input.channelsLast()
        for level in 0..<config.levels {
            if level > 0 { h = pools[level - 1](consume h) }
            for unit in encoders[level] { h = unit(consume h) }
            skips.append(h)
        }
        let features = h.globalAveragePool()
        let stop =
            config.dropoutPlacement == .everyDecoderBlock && !dropouts.isEmpty ? min(1, decoders.count) : decoders.count
        for k in 0..<stop { h = decoderBlock(k, consume h, skips: skips) }
        return DeterministicPrefix(activation: h, skips: skips, features: features, nextDecoder: stop)
    }

    /// The rest of a forward pass: the remaining decoder blocks and dropout layers, then the head.
    func forwardFromFirstDropout(_ prefix: DeterministicPrefix) -> Tensor {
        var h = prefix.activation
        for k in max(0, prefix.nextDecoder - 1)..<decoders.count {
            if k >= prefix.nextDecoder { h = decoderBlock(k, consume h, skips: prefix.skips) }
            if config.dropoutPlacement == .everyDecoderBlock, k < dropouts.count { h = dropouts[k](consume h) }
        }
        if config.dropoutPlacement == .lastDecoderBlock, let dropout = dropouts.first { h = dropout(consume h) }
        let logits = head(consume h)
        return logits.reshaped([logits.shape[0], 1] + logits.channelsLastSpatial)
    }

    /// Decoder block `k` (0 = deepest): upsample, then conv units whose first one reads the channel
    /// concatenation `[upsampled, skip]` without materialising it.
    private func decoderBlock(_ k: Int, _ input: consuming Tensor, skips: [Tensor]) -> Tensor {
        var h = decoders[k][0](concatenating: upsamplers[k](consume input), skips[config.levels - 2 - k])
        for unit in decoders[k].dropFirst() { h = unit(consume h) }
        return h
    }

    /// Backpropagates the gradient of the loss with respect to the logits of the last forward pass,
    /// adding to every parameter's gradient.
    public func backward(_ gradientOfLogits: Tensor) {
        let shape = gradientOfLogits.shape
        var g = head.backward(gradientOfLogits.reshaped([shape[0]] + shape[2...] + [1]))
        if config.dropoutPlacement == .lastDecoderBlock, let dropout = dropouts.first {
            g = dropout.backward(consume g)
        }
        var skipGradients: [Tensor?] = Array(repeating: nil, count: config.levels)
        // Decoders ran deepest first, so their backward passes run shallowest first.
        for k in stride(from: decoders.count - 1, through: 0, by: -1) {
            let level = config.levels - 2 - k
            if config.dropoutPlacement == .everyDecoderBlock, k < dropouts.count { g = dropouts[k].backward(consume g) }
            for unit in decoders[k].dropFirst().reversed() { g = unit.backward(consume g) }
            let blocks = decoders[k][0].backwardBlocks(consume g)
            skipGradients[level] = blocks[1]
            g = upsamplers[k].backward(blocks[0])
        }
        for level in stride(from: config.levels - 1, through: 0, by: -1) {
            if let skip = skipGradients[level] { g += skip }
            for unit in encoders[level].reversed() { g = unit.backward(consume g) }
            if level > 0 { g = pools[level - 1].backward(consume g) }
        }
    }
}
