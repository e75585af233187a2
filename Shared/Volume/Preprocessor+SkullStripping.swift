extension Preprocessor {
    /// The skull-stripping step: the brain mask `SkullStripping` finds on T1c (guided by T2 when it
    /// shares T1c's grid), or nil when the configuration has no skull stripping.
    func skullStrippedMask(t1c: Volume, t2: Volume, caseID: String) throws(VolumeError) -> LabelVolume? {
        guard let settings = configuration.skullStripping else { return nil }
        let guide = t2.hasSameGrid(as: t1c) ? t2 : nil
        return try SkullStripping.strip(t1: t1c, t2: guide, caseID: caseID, configuration: settings).brainMask
    }
}
