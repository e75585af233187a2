extension Preprocessor {
    /// The channel divided by its N4 bias field, fitted inside the brain mask, when the configuration
    /// asks for the correction; otherwise the channel as it is.
    func biasCorrected(_ channel: Volume, inside mask: LabelVolume) throws(VolumeError) -> Volume {
        guard let settings = configuration.biasFieldCorrection else { return channel }
        return try BiasFieldCorrection(settings).run(channel, mask: mask).corrected
    }
}
