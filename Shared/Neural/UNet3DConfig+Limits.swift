extension UNet3DConfig {
    /// The ranges a configuration must lie in to be built. A checkpoint carries its configuration, so
    /// a loader checks these before building the network it describes: a zero, a negative value or
    /// a huge channel count would otherwise trap or allocate without bound inside the layers.
    public enum Limits {
        public static let inputChannels = 1...64
        public static let levels = 1...8
        public static let baseChannels = 1...1024
        /// Channels at the deepest level, `baseChannels · 2^(levels − 1)`.
        public static let deepestChannels = 1...4096
        public static let convolutionsPerLevel = 1...8
        /// Dropout keeps a fraction `1 − rate` of the activations, so a rate of 1 keeps none.
        public static let dropoutRate: Range<Float> = 0..<1
    }

    /// What puts this configuration outside `Limits`, or nil when a network can be built from it:
    /// every field within its range, and `groupNormGroups` dividing `baseChannels` (and so every
    /// level's channels, which are multiples of it).
    public var limitViolation: String? {
        func outside<T: Comparable>(_ name: String, _ value: T, _ range: ClosedRange<T>) -> String? {
            range.contains(value) ? nil : "\(name) \(value) is outside \(range.lowerBound)...\(range.upperBound)"
        }
        if let problem = outside("inputChannels", inputChannels, Limits.inputChannels)
            ?? outside("levels", levels, Limits.levels)
            ?? outside("baseChannels", baseChannels, Limits.baseChannels)
            ?? outside("convolutionsPerLevel", convolutionsPerLevel, Limits.convolutionsPerLevel)
        {
            return problem
        }
        if let problem = outside("the deepest level's channels", channels(atLevel: levels - 1), Limits.deepestChannels)
        {
            return problem
        }
        guard groupNormGroups >= 1, baseChannels % groupNormGroups == 0 else {
            return "groupNormGroups \(groupNormGroups) does not divide baseChannels \(baseChannels)"
        }
        guard Limits.dropoutRate.contains(dropoutRate) else {
            return "dropoutRate \(dropoutRate) is outside [0, 1)"
        }
        return nil
    }

    /// The number of float parameters the network has, counted without building it, so a loader can
    /// compare it with the tensor data a file holds first; nil outside `Limits`, within which the
    /// count cannot overflow (it stays below 2^40).
    public var parameterCount: Int? {
        guard limitViolation == nil else { return nil }
        func unit(_ inChannels: Int, _ outChannels: Int) -> Int {
            outChannels * inChannels * 27 + (convolutionBias ? outChannels : 0) + 2 * outChannels
        }
        func block(_ inChannels: Int, _ outChannels: Int) -> Int {
            unit(inChannels, outChannels) + (convolutionsPerLevel - 1) * unit(outChannels, outChannels)
        }
        var count = baseChannels + 1  // the 1×1×1 head and its bias
        for level in 0..<levels {
            let width = channels(atLevel: level)
            count += block(level == 0 ? inputChannels : channels(atLevel: level - 1), width)
            if level < levels - 1 { count += block(channels(atLevel: level + 1) + width, width) }
        }
        return count
    }
}
