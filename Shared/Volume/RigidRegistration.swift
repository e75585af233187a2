import Foundation

/// Rigid co-registration of a moving image (T2) onto a fixed one (T1c) by maximising Mattes mutual
/// information, coarse to fine, as ITK's ImageRegistrationMethodv4 does with an Euler3DTransform.
///
/// The two sequences of a case are acquired minutes apart and the head moves between them; a case
/// whose affines do not already agree needs its T2 moved onto T1c before the two channels can be
/// stacked. Registration runs per pyramid level: both images are blurred, the fixed one (and its
/// mask) subsampled, and the transform from the coarser level starts the finer one. A result that
/// cannot be trusted is reported as a `RegistrationError` (too little overlap, a metric that got
/// worse or stopped being finite, parameters outside a plausible head motion), never returned.
public struct RigidRegistration: Sendable {
    /// How the registration runs; the defaults register 1 mm brain MRI in a few seconds.
    public struct Configuration: Hashable, Sendable {
        /// Histogram bins per image for the mutual information (ITK's examples use 32–50).
        public var histogramBins: Int
        /// The share of the fixed mask's voxels read at each level, taken regularly (every n-th
        /// voxel of the mask in storage order), so results repeat exactly.
        public var samplingFraction: Double
        /// Subsampling of the fixed image per level, coarse to fine.
        public var shrinkFactors: [Int]
        /// Gaussian blur per level, in voxels of the full-resolution fixed image (converted to mm for
        /// the moving image); one per shrink factor.
        public var smoothingSigmas: [Double]
        /// The first step of the descent at each level, in mm of motion (see `rotationScale`).
        public var learningRate: Double
        /// A level ends when the step has been halved below this (mm).
        public var minimumStep: Double
        /// The step shrinks by this factor whenever the gradient turns back.
        public var relaxationFactor: Double
        /// The most descent steps per level.
        public var maximumIterations: Int
        /// Millimetres of motion per radian of rotation: about the brain's radius, so that a step of
        /// 1 mm moves the brain's edge about 1 mm whether it rotates or translates.
        public var rotationScale: Double
        /// Where the optimiser starts.
        public var initialisation: Initialisation
        /// The smallest fraction of the fixed mask that must land on the moved image's nonzero
        /// voxels at the end.
        public var minimumOverlap: Double
        /// Rotations above this (degrees, any axis) are reported as divergence.
        public var maximumRotation: Double
        /// Translations further than this (mm) from the starting translation are reported as
        /// divergence.
        public var maximumTranslation: Double

        /// The starting transform.
        public enum Initialisation: Hashable, Sendable {
            /// The identity: the images' affines are trusted to roughly agree.
            case identity
            /// A translation that puts the moving image's intensity centre of mass on the fixed
            /// image's (ITK's MOMENTS).
            case centresOfMass
            /// A translation that puts the moving grid's centre on the fixed grid's (ITK's GEOMETRY).
            case centresOfGeometry
        }

        public init(
            histogramBins: Int = 32, samplingFraction: Double = 0.2, shrinkFactors: [Int] = [4, 2, 1],
            smoothingSigmas: [Double] = [2, 1, 0], learningRate: Double = 2, minimumStep: Double = 1e-3,
            relaxationFactor: Double = 0.5, maximumIterations: Int = 200, rotationScale: Double = 80,
            initialisation: Initialisation = .centresOfMass, minimumOverlap: Double = 0.5,
            maximumRotation: Double = 45, maximumTranslation: Double = 100
        ) {
            self.histogramBins = histogramBins
            self.samplingFraction = samplingFraction
            self.shrinkFactors = shrinkFactors
            self.smoothingSigmas = smoothingSigmas
            self.learningRate = learningRate
            self.minimumStep = minimumStep
            self.relaxationFactor = relaxationFactor
            self.maximumIterations = maximumIterations
            self.rotationScale = rotationScale
            self.initialisation = initialisation
            self.minimumOverlap = minimumOverlap
            self.maximumRotation = maximumRotation
            self.maximumTranslation = maximumTranslation
        }
    }

    /// A registration that was judged to have succeeded.
    public struct Result: Sendable {
        /// Maps fixed world points to moving world points.
        public var transform: RigidTransform
        /// −MI (nats) at full resolution where the registration started and where it ended.
        public var initialMetric: Double
        public var metric: Double
        /// The fraction of the fixed mask that lands on the moved image's nonzero voxels.
        public var overlap: Double
        /// Descent steps taken per level, coarse to fine.
        public var iterations: [Int]
    }

    public var configuration: Configuration

    public init(_ configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Finds the rigid transform that best maps `fixed` onto `moving`. `fixedMask` (on the fixed
    /// grid) says which voxels are sampled; by default the fixed image's nonzero voxels (the brain of
    /// a skull-stripped image).
    public func register(
        moving: Volume, fixed: Volume, fixedMask: LabelVolume? = nil
    ) throws(RegistrationError) -> Result {
        let config = configuration
        let mask = fixedMask ?? BrainMask.nonzero([fixed])
        guard config.shrinkFactors.count == config.smoothingSigmas.count, !config.shrinkFactors.isEmpty,
            config.shrinkFactors.allSatisfy({ $0 >= 1 }), config.histogramBins >= 8,
            config.samplingFraction > 0, config.samplingFraction <= 1
        else {
            throw RegistrationError(
                .unusableInput,
                detail: "the configuration needs one smoothing sigma per shrink factor (≥ 1), at least 8 "
                    + "bins and a sampling fraction in (0, 1]")
        }
        guard mask.shape == fixed.shape, mask.voxels.contains(where: { $0 != 0 }) else {
            throw RegistrationError(.unusableInput, detail: "the fixed mask is empty or not on the fixed grid")
        }
        for (name, image) in [("fixed", fixed), ("moving", moving)]
        where (0..<3).contains(where: { image.shape[$0] < 4 }) || image.affine.inverse == nil {
            throw RegistrationError(
                .unusableInput, detail: "the \(name) image (\(image.shape)) is too small or its affine is singular")
        }
        let start = initialTransform(moving: moving, fixed: fixed, mask: mask)
        let stride = max(1, Int((1 / config.samplingFraction).rounded()))
        let finest = MattesMutualInformation(
            fixed: fixed, mask: mask, moving: moving, bins: config.histogramBins, stride: stride)
        guard let initial = finest.evaluate(start, withGradient: false) else {
            throw RegistrationError(
                .tooLittleOverlap, detail: "no sample of the fixed mask lands in the moving image at the start",
                overlap: 0)
        }
        var transform = start
        var iterations: [Int] = []
        for (factor, sigma) in zip(config.shrinkFactors, config.smoothingSigmas) {
            let metric =
                factor == 1 && sigma == 0
                ? finest
                : MattesMutualInformation(
                    fixed: fixed.smoothedGaussian(sigma: SIMD3(repeating: sigma)).shrunk(by: factor),
                    mask: mask.shrunk(by: factor),
                    moving: moving.smoothedGaussian(sigma: sigma * fixed.spacing / moving.spacing),
                    bins: config.histogramBins, stride: stride)
            let descent = RegularStepGradientDescent(
                learningRate: config.learningRate, minimumStep: config.minimumStep,
                relaxationFactor: config.relaxationFactor, maximumIterations: config.maximumIterations,
                gradientTolerance: 1e-12,
                scales: [Double](repeating: config.rotationScale, count: 3) + [1, 1, 1])
            let current = transform
            let outcome = try descent.minimise(from: transform.parameters) { parameters throws(RegistrationError) in
                let candidate = current.with(parameters: parameters)
                try checkPlausible(candidate, start: start)
                guard let evaluation = metric.evaluate(candidate, withGradient: true) else {
                    throw RegistrationError(
                        .tooLittleOverlap, detail: "the moved image left the fixed mask at level \(factor)",
                        overlap: 0)
                }
                guard evaluation.value.isFinite, evaluation.gradient.allSatisfy(\.isFinite) else {
                    throw RegistrationError(
                        .nonFiniteMetric, detail: "the metric or its gradient is not finite at level \(factor)",
                        metric: evaluation.value, overlap: evaluation.overlap)
                }
                return (evaluation.value, evaluation.gradient)
            }
            transform = current.with(parameters: outcome.position)
            iterations.append(outcome.iterations)
        }
        try checkPlausible(transform, start: start)
        guard let final = finest.evaluate(transform, withGradient: false), final.value.isFinite else {
            throw RegistrationError(.nonFiniteMetric, detail: "the final metric cannot be computed")
        }
        guard final.overlap >= config.minimumOverlap else {
            throw RegistrationError(
                .tooLittleOverlap,
                detail: "the moved image covers less of the fixed mask than the required "
                    + "\(config.minimumOverlap * 100)%",
                metric: final.value, overlap: final.overlap)
        }
        guard final.value <= initial.value + 1e-4 * abs(initial.value) else {
            throw RegistrationError(
                .metricNotImproved,
                detail: "the metric went from \(String(format: "%.4f", initial.value)) to "
                    + String(format: "%.4f", final.value),
                metric: final.value, overlap: final.overlap)
        }
        return Result(
            transform: transform, initialMetric: initial.value, metric: final.value, overlap: final.overlap,
            iterations: iterations)
    }

    /// The moving image sampled onto the fixed grid through `transform`, by cubic B-spline (zero where
    /// the moved image does not reach); `coverage` is the share of the fixed grid it reaches.
    public static func resample(
        _ moving: Volume, ontoGridOf fixed: Volume, through transform: RigidTransform
    ) throws(VolumeError) -> (volume: Volume, coverage: Double) {
        let (volume, coverage) = try BSplineImage(moving).resampled(
            onto: fixed.shape, affine: transform.matrix * fixed.affine)
        return (Volume(shape: fixed.shape, affine: fixed.affine, voxels: volume.voxels), coverage)
    }

    /// The starting transform, rotating about the fixed grid's centre.
    func initialTransform(moving: Volume, fixed: Volume, mask: LabelVolume) -> RigidTransform {
        let centre = Self.gridCentre(fixed)
        let translation: SIMD3<Double> =
            switch configuration.initialisation {
            case .identity: .zero
            case .centresOfGeometry: Self.gridCentre(moving) - centre
            case .centresOfMass: Self.centreOfMass(moving) - Self.centreOfMass(fixed)
            }
        return RigidTransform(translation: translation, centre: centre)
    }

    /// Rejects transforms beyond a plausible head motion.
    private func checkPlausible(_ transform: RigidTransform, start: RigidTransform) throws(RegistrationError) {
        let largestAngle = max(abs(transform.angles.x), abs(transform.angles.y), abs(transform.angles.z)) * 180 / .pi
        let shift = transform.translation - start.translation
        let distance = (shift * shift).sum().squareRoot()
        guard largestAngle <= configuration.maximumRotation, distance <= configuration.maximumTranslation else {
            throw RegistrationError(
                .diverged,
                detail: String(
                    format: "the transform reached %.1f° and %.1f mm from its start, beyond %.0f° and %.0f mm",
                    largestAngle, distance, configuration.maximumRotation, configuration.maximumTranslation))
        }
    }

    /// The world position of the grid's middle.
    static func gridCentre(_ volume: Volume) -> SIMD3<Double> {
        let s = volume.shape
        let (x, y, z) = volume.affine.apply((Double(s.x - 1) / 2, Double(s.y - 1) / 2, Double(s.z - 1) / 2))
        return SIMD3(x, y, z)
    }

    /// The intensity-weighted centre (negative intensities count as zero); the grid centre when the
    /// image has no positive voxel.
    static func centreOfMass(_ volume: Volume) -> SIMD3<Double> {
        let s = volume.shape
        var sum = SIMD3<Double>.zero
        var total = 0.0
        for k in 0..<s.z {
            for j in 0..<s.y {
                for i in 0..<s.x {
                    let value = Double(volume.voxels[s.offset(i, j, k)])
                    guard value > 0 else { continue }
                    sum += value * SIMD3(Double(i), Double(j), Double(k))
                    total += value
                }
            }
        }
        guard total > 0 else { return gridCentre(volume) }
        let index = sum / total
        let (x, y, z) = volume.affine.apply((index.x, index.y, index.z))
        return SIMD3(x, y, z)
    }
}
