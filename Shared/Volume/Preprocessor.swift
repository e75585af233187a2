/// The steps from a case's raw T1c, T2 (and label) to the network's input, and their settings.
///
/// Order: with `skullStripping` set and no mask supplied, the brain mask is `SkullStripping`'s (for
/// images that still have skull and scalp); label and mask must share T1c's grid; T2 is optionally
/// registered onto T1c inside that mask (its affine corrected, `t2Registration`); T1c, label and mask
/// are reoriented and resampled to the target spacing; T2 follows the same path when it shares T1c's
/// grid, and is otherwise sampled onto the resampled T1c grid through both affines (rejected when too
/// little of it overlaps); the mask is cropped to with a margin; each channel is, when asked,
/// corrected for its bias field and then z-scored inside the mask; the label becomes the binary
/// target.
public struct PreprocessingConfiguration: Hashable, Sendable {
    /// Orientation of the output grid. "LPS" here is the paper's "RAI" in ITK's naming.
    public var orientation: AxisCodes
    /// Output voxel size in mm (the paper: 1 mm isotropic).
    public var spacing: SIMD3<Double>
    /// Voxels kept around the brain mask's bounding box.
    public var cropMargin: Int
    /// How label values map to the binary target.
    public var labels: LabelConvention
    /// How T2 must relate to T1c.
    public var t2Alignment: T2Alignment
    /// The smallest fraction of the T1c grid that T2 must cover.
    public var minimumOverlap: Double
    /// Rigid registration of T2 onto T1c before resampling, or nil (the default) to trust the
    /// affines. See `Preprocessor.registeredT2`.
    public var t2Registration: RigidRegistration.Configuration?
    /// The most voxels of any grid read or made for a case (a file, a resampled grid): a header
    /// claiming a larger grid, or voxel sizes that would resample to one, are refused (`.tooLarge`)
    /// before the memory is allocated.
    public var maxVoxels: Int
    /// N4 bias field correction of each cropped channel inside the brain mask, before z-scoring;
    /// nil (the default) leaves intensities as they are.
    public var biasFieldCorrection: BiasFieldCorrection.Configuration?
    /// Skull stripping's settings, or nil (the default) for skull-stripped inputs such as BraTS,
    /// whose nonzero voxels are the brain. A supplied mask still takes precedence.
    public var skullStripping: SkullStripping.Configuration? = nil

    public enum T2Alignment: Hashable, Sendable {
        /// Sample T2 onto T1c's grid through both affines (they are co-registered in world space).
        case resampleThroughAffines
        /// Reject a case whose T2 grid (dims or affine) differs from T1c's.
        case requireSameGrid
    }

    public init(
        orientation: AxisCodes = .lps, spacing: SIMD3<Double> = SIMD3(1, 1, 1), cropMargin: Int = 4,
        labels: LabelConvention = .brats2021, t2Alignment: T2Alignment = .resampleThroughAffines,
        minimumOverlap: Double = 0.5, maxVoxels: Int = NIfTI.defaultMaxVoxels,
        t2Registration: RigidRegistration.Configuration? = nil,
        biasFieldCorrection: BiasFieldCorrection.Configuration? = nil
    ) {
        self.orientation = orientation
        self.spacing = spacing
        self.cropMargin = cropMargin
        self.labels = labels
        self.t2Alignment = t2Alignment
        self.minimumOverlap = minimumOverlap
        self.maxVoxels = maxVoxels
        self.t2Registration = t2Registration
        self.biasFieldCorrection = biasFieldCorrection
    }
}

/// A case ready for training or scoring: two channels and the masks on one grid.
public struct PreprocessedCase: Sendable {
    public var id: String
    public var t1c: Volume
    public var t2: Volume
    /// The binary target (1 = enhancing tumor), when the case is labelled.
    public var label: LabelVolume?
    public var brainMask: LabelVolume
    /// Seconds each optional step took on this case (the steps that ran).
    public var stepSeconds: [PreprocessingStep: Double] = [:]
}

public struct Preprocessor: Sendable {
    public var configuration: PreprocessingConfiguration

    public init(_ configuration: PreprocessingConfiguration = PreprocessingConfiguration()) {
        self.configuration = configuration
    }

    /// Runs every step on one case. `mask` replaces the nonzero-voxel brain mask when given; `files`
    /// names the files in errors.
    public func run(
        caseID: String, t1c: Volume, t2: Volume, label: LabelVolume?, mask: LabelVolume? = nil, files: CaseSource? = nil
    ) throws(VolumeError) -> PreprocessedCase {
        do {
            return try process(t1c: t1c, t2: t2, label: label, mask: mask, caseID: caseID, files: files)
        } catch {
            throw error.inCase(caseID)
        }
    }

    private func process(
        t1c: Volume, t2: Volume, label: LabelVolume?, mask: LabelVolume?, caseID: String, files: CaseSource?
    ) throws(VolumeError) -> PreprocessedCase {
        let config = configuration
        var seconds: [PreprocessingStep: Double] = [:]
        var mask = mask
        if mask == nil {
            mask = try timed(.skullStripping, into: &seconds) { () throws(VolumeError) in
                try skullStrippedMask(t1c: t1c, t2: t2, caseID: caseID)
            }
        }
        if let label, !label.hasSameGrid(as: t1c) {
            throw VolumeError(
                .gridMismatch, file: files?.label?.path,
                detail: "label grid \(label.shape) differs from T1c grid \(t1c.shape) or its affine")
        }
        if let mask, !mask.hasSameGrid(as: t1c) {
            throw VolumeError(
                .gridMismatch, detail: "mask grid \(mask.shape) differs from T1c grid \(t1c.shape) or its affine")
        }
        if !t2.hasSameGrid(as: t1c), config.t2Alignment == .requireSameGrid {
            throw VolumeError(
                .gridMismatch, file: files?.t2.path,
                detail: "T2 grid \(t2.shape) differs from T1c grid \(t1c.shape) or its affine")
        }
        let t2 = try timed(.registration, into: &seconds) { () throws(VolumeError) in
            try registeredT2(t2, onto: t1c, mask: mask, file: files?.t2.path)
        }
        let sameGrid = t2.hasSameGrid(as: t1c)
        let orientedT1c = try t1c.reoriented(to: config.orientation)
        let (spacing, cap) = (config.spacing, config.maxVoxels)
        let resampledT1c = try orientedT1c.resampledBSpline(spacing: spacing, maxVoxels: cap)
        let grid = (shape: resampledT1c.shape, affine: resampledT1c.affine)
        let resampledT2: Volume
        var brain: LabelVolume
        if let mask {
            brain = try mask.reoriented(to: config.orientation).resampledNearest(spacing: spacing, maxVoxels: cap)
        } else {
            brain = try BrainMask.nonzero([orientedT1c]).resampledNearest(spacing: spacing, maxVoxels: cap)
        }
        if sameGrid {
            let orientedT2 = try t2.reoriented(to: config.orientation)
            resampledT2 = try orientedT2.resampledBSpline(spacing: spacing, maxVoxels: cap)
            if mask == nil {
                merge(
                    try BrainMask.nonzero([orientedT2]).resampledNearest(spacing: spacing, maxVoxels: cap), into: &brain
                )
            }
        } else {
            let (volume, coverage) = try BSplineImage(t2).resampled(onto: grid.shape, affine: grid.affine)
            guard coverage >= config.minimumOverlap else {
                let percent = (coverage * 1000).rounded() / 10
                throw VolumeError(
                    .noOverlap, file: files?.t2.path,
                    detail: "T2 covers \(percent)% of the T1c grid, below the required \(config.minimumOverlap * 100)%")
            }
            resampledT2 = volume
            if mask == nil {
                merge(
                    try BrainMask.nonzero([t2]).resampledNearest(onto: grid.shape, affine: grid.affine, outside: 0),
                    into: &brain)
            }
        }
        let resampledLabel = try label.map { labels throws(VolumeError) in
            try labels.reoriented(to: config.orientation).resampledNearest(spacing: spacing, maxVoxels: cap)
        }
        guard let box = BrainMask.boundingBox(brain) else {
            throw VolumeError(.allZero, detail: "the brain mask is empty")
        }
        let margin = SIMD3(repeating: config.cropMargin)
        let lower = box.lower &- margin, upper = box.upper &+ margin
        let croppedMask = brain.cropped(lower: lower, upper: upper)
        let (correctedT1c, correctedT2) = try timed(.biasFieldCorrection, into: &seconds) {
            () throws(VolumeError) in
            (
                try biasCorrected(resampledT1c.cropped(lower: lower, upper: upper), inside: croppedMask),
                try biasCorrected(resampledT2.cropped(lower: lower, upper: upper), inside: croppedMask)
            )
        }
        return PreprocessedCase(
            id: caseID, t1c: correctedT1c.zScored(inside: croppedMask), t2: correctedT2.zScored(inside: croppedMask),
            label: resampledLabel.map { config.labels.binary($0.cropped(lower: lower, upper: upper)) },
            brainMask: croppedMask, stepSeconds: seconds)
    }

    /// Runs `body`, adding its seconds under `step` when the configuration runs that step.
    private func timed<Value>(
        _ step: PreprocessingStep, into seconds: inout [PreprocessingStep: Double],
        _ body: () throws(VolumeError) -> Value
    ) throws(VolumeError) -> Value {
        let start = ContinuousClock.now
        let value = try body()
        if configuration.steps.contains(step) {
            let elapsed = start.duration(to: .now).components
            seconds[step] = Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
        }
        return value
    }

    private func merge(_ other: LabelVolume, into mask: inout LabelVolume) {
        for index in mask.voxels.indices where other.voxels[index] != 0 { mask.voxels[index] = 1 }
    }
}
