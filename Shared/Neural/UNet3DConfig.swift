/// The architecture of a 3D U-Net; stored in every checkpoint so a loader can rebuild the network.
public struct UNet3DConfig: Sendable, Equatable, Hashable, Codable {
    /// Where dropout sits in the decoder.
    public enum DropoutPlacement: String, Sendable, Codable, CaseIterable {
        /// On the output of the last decoder block, feeding the 1×1×1 head (the paper's placement).
        case lastDecoderBlock
        /// On the output of every decoder block.
        case everyDecoderBlock
    }

    /// When dropout is active.
    public enum DropoutMode: String, Sendable, Codable, CaseIterable {
        /// No dropout layers at all.
        case none
        /// Regularises training and is switched on again for MC-dropout sampling.
        case trainAndTest
        /// Off while training; only MC-dropout sampling switches it on.
        case testOnly
    }

    public var inputChannels: Int
    /// Resolution levels; the input size must be divisible by 2^(levels − 1).
    public var levels: Int
    /// Channels at the first level; each deeper level doubles them.
    public var baseChannels: Int
    public var convolutionsPerLevel: Int
    public var groupNormGroups: Int
    public var dropoutRate: Float
    public var dropoutPlacement: DropoutPlacement
    public var dropoutMode: DropoutMode
    /// Biases on the 3×3×3 convolutions; GroupNorm's shift makes them redundant, so off by default.
    public var convolutionBias: Bool

    /// Defaults follow the paper: 2 input channels (T1c, T2), 5 levels from 32 to 512 channels.
    public init(
        inputChannels: Int = 2, levels: Int = 5, baseChannels: Int = 32, convolutionsPerLevel: Int = 2,
        groupNormGroups: Int = 8, dropoutRate: Float = 0.5,
        dropoutPlacement: DropoutPlacement = .lastDecoderBlock, dropoutMode: DropoutMode = .trainAndTest,
        convolutionBias: Bool = false
    ) {
        self.inputChannels = inputChannels
        self.levels = levels
        self.baseChannels = baseChannels
        self.convolutionsPerLevel = convolutionsPerLevel
        self.groupNormGroups = groupNormGroups
        self.dropoutRate = dropoutRate
        self.dropoutPlacement = dropoutPlacement
        self.dropoutMode = dropoutMode
        self.convolutionBias = convolutionBias
    }

    /// Channels of the feature maps at `level` (0 = full resolution).
    public func channels(atLevel level: Int) -> Int { baseChannels << level }

    /// Every spatial size fed to the network must be a multiple of this.
    public var sizeDivisor: Int { 1 << (levels - 1) }
}
