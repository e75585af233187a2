import Foundation

/// N4 bias field correction (Tustison et al., "N4ITK: Improved N3 Bias Correction", IEEE TMI 2010),
/// computed as ITK's `N4BiasFieldCorrectionImageFilter`: MRI intensities are the tissue's times a
/// smooth multiplicative field, so in the log domain the field is additive. Each iteration sharpens
/// the histogram of the current log-corrected image inside the mask (`HistogramSharpening`), fits a
/// cubic B-spline to the residual between the image and its sharpened version by scattered-data
/// approximation (`ControlPointLattice`) and adds it to the field estimate, until the estimate stops
/// changing; then the B-spline mesh is refined (twice the spans along each axis) and the next fitting
/// level runs. The field is fitted on a shrunk copy of the image and evaluated on the full grid.
///
/// The field is evaluated on the full grid as SimpleITK's `GetLogBiasFieldAsImage` does: the
/// spline's domain, fitted from the first to the last shrunk voxel, is laid from the first to the last
/// voxel of the full grid. (Placing each full voxel where it lies between the shrunk voxels instead
/// moved the estimate by up to half a shrunk voxel at the edges and measured no better on the MNI
/// template: docs/volumes.md.) One deliberate difference from ITK: voxels of the mask whose
/// intensity is not positive are left out of the fit, where ITK keeps them with their raw value
/// standing for the logarithm, which puts a spike at log 1 into the histogram it sharpens.
public struct BiasFieldCorrection: Sendable {
    /// N4's parameters; the defaults are ITK's and the N4 paper's, with four fitting levels.
    public struct Configuration: Hashable, Sendable {
        /// The image and mask are subsampled by this factor along each axis before fitting (voxels
        /// picked as ITK's `ShrinkImageFilter` picks them, centred on the grid): the fit costs about
        /// shrink³ less and the field is smooth at that scale. 1 fits at full resolution.
        public var shrinkFactor: Int
        /// The most iterations at each fitting level; the count of entries is the number of levels,
        /// each with twice the B-spline mesh spans of the one before.
        public var maximumIterations: [Int]
        /// A level ends once the coefficient of variation, inside the mask, of the ratio between
        /// successive field estimates falls to this.
        public var convergenceThreshold: Double
        /// Bins of the log-intensity histogram that is sharpened.
        public var histogramBins: Int
        /// Full width at half maximum of the Gaussian assumed to blur the log histogram (log units).
        public var fullWidthAtHalfMaximum: Double
        /// The Wiener filter's noise term, which keeps the deconvolution stable.
        public var wienerNoise: Double
        /// Control points along each axis at the first level (cubic: this minus 3 mesh spans).
        public var controlPoints: Int

        public init(
            shrinkFactor: Int = 4, maximumIterations: [Int] = [50, 50, 50, 50], convergenceThreshold: Double = 0.001,
            histogramBins: Int = 200, fullWidthAtHalfMaximum: Double = 0.15, wienerNoise: Double = 0.01,
            controlPoints: Int = 4
        ) {
            self.shrinkFactor = shrinkFactor
            self.maximumIterations = maximumIterations
            self.convergenceThreshold = convergenceThreshold
            self.histogramBins = histogramBins
            self.fullWidthAtHalfMaximum = fullWidthAtHalfMaximum
            self.wienerNoise = wienerNoise
            self.controlPoints = controlPoints
        }

        func validated() throws(VolumeError) -> Configuration {
            let problems = [
                shrinkFactor >= 1 ? nil : "shrink factor \(shrinkFactor) is below 1",
                !maximumIterations.isEmpty && maximumIterations.allSatisfy({ $0 >= 1 })
                    ? nil : "iterations per level \(maximumIterations) must be at least one level of at least 1",
                convergenceThreshold >= 0 ? nil : "convergence threshold \(convergenceThreshold) is negative",
                histogramBins >= 2 ? nil : "\(histogramBins) histogram bins are fewer than 2",
                fullWidthAtHalfMaximum > 0 ? nil : "the FWHM \(fullWidthAtHalfMaximum) is not positive",
                wienerNoise > 0 ? nil : "the Wiener noise \(wienerNoise) is not positive",
                controlPoints >= 4 ? nil : "\(controlPoints) control points are fewer than the cubic's 4",
            ].compactMap { $0 }
            if let problem = problems.first { throw VolumeError(.invalidParameter, detail: problem) }
            return self
        }
    }

    /// The corrected image and what was estimated.
    public struct Result: Sendable {
        /// The input divided by the field, on the input's grid.
        public var corrected: Volume
        /// The estimated multiplicative field (input = corrected × field), on the input's grid.
        public var field: Volume
        /// The mask the field was fitted over (the given one, or Otsu's).
        public var mask: LabelVolume
        /// Iterations run at each fitting level.
        public var iterations: [Int]
    }

    public var configuration: Configuration

    public init(_ configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Corrects `image` with the field fitted over `mask` (nonzero voxels; default `BrainMask.otsu`,
    /// which separates head or brain from background whether or not the image is skull-stripped).
    /// Throws `.invalidParameter` for a configuration outside its ranges, `.gridMismatch` for a mask on
    /// another grid, `.nonFiniteVoxels` for NaN or infinite voxels inside the mask and `.emptyMask`
    /// when the (shrunk) mask holds no voxel of positive intensity.
    public func run(_ image: Volume, mask: LabelVolume? = nil) throws(VolumeError) -> Result {
        let config = try configuration.validated()
        let mask = mask ?? BrainMask.otsu(image)
        guard mask.shape == image.shape else {
            throw VolumeError(
                .gridMismatch, detail: "mask grid \(mask.shape) differs from the image grid \(image.shape)")
        }
        for (value, inside) in zip(image.voxels, mask.voxels) where inside != 0 && !value.isFinite {
            throw VolumeError(.nonFiniteVoxels, detail: "the image has NaN or infinite voxels inside the mask")
        }
        let grid = ShrunkGrid(image.shape, factor: config.shrinkFactor)
        var fit = try FieldFit(image: image, mask: mask, grid: grid, configuration: config)
        let iterations = fit.run()
        var field = fit.lattice.evaluated(on: image.shape)
        var corrected = [Float](repeating: 0, count: image.shape.count)
        image.voxels.withUnsafeBufferPointer { input in
            field.withUnsafeMutableBufferPointer { field in
                corrected.withUnsafeMutableBufferPointer { corrected in
                    parallelRanges(image.shape.count) { range in
                        for index in range {
                            field[index] = exp(field[index])
                            corrected[index] = input[index] / field[index]
                        }
                    }
                }
            }
        }
        return Result(
            corrected: Volume(shape: image.shape, affine: image.affine, voxels: corrected),
            field: Volume(shape: image.shape, affine: image.affine, voxels: field), mask: mask, iterations: iterations)
    }
}

/// The voxels the field is fitted on: every `factor`-th voxel along each axis, the block centred on
/// the grid as ITK's `ShrinkImageFilter` centres it (the first taken voxel is `start`).
struct ShrunkGrid {
    let full: GridShape
    let shape: GridShape
    let factor: Int
    let start: SIMD3<Int>

    init(_ full: GridShape, factor: Int) {
        self.full = full
        self.factor = factor
        var shape = full
        var start = SIMD3(0, 0, 0)
        for axis in 0..<3 {
            let count = max(full[axis] / factor, 1)
            shape[axis] = count
            let centreOffset = (Double(full[axis] - 1) - Double((count - 1) * factor)) / 2
            start[axis] = min(max(Int((centreOffset + 0.5).rounded(.down)), 0), full[axis] - 1 - (count - 1) * factor)
        }
        self.shape = shape
        self.start = start
    }

    /// The full-grid offset of shrunk voxel (i, j, k).
    func fullOffset(_ i: Int, _ j: Int, _ k: Int) -> Int {
        full.offset(start.x + factor * i, start.y + factor * j, start.z + factor * k)
    }
}

/// The iterations of N4 on the shrunk grid: the log image and field at the fitted voxels, and the
/// field's control points.
private struct FieldFit {
    let configuration: BiasFieldCorrection.Configuration
    let grid: ShrunkGrid
    /// Offsets into the shrunk grid of the voxels the field is fitted to.
    let fitted: [Int]
    /// log intensity at each fitted voxel.
    let logImage: [Float]
    /// The current log field at each fitted voxel.
    var logField: [Float]
    private(set) var lattice: ControlPointLattice

    init(
        image: Volume, mask: LabelVolume, grid: ShrunkGrid, configuration: BiasFieldCorrection.Configuration
    ) throws(VolumeError) {
        var fitted: [Int] = []
        var logImage: [Float] = []
        let shape = grid.shape
        for k in 0..<shape.z {
            for j in 0..<shape.y {
                for i in 0..<shape.x {
                    let source = grid.fullOffset(i, j, k)
                    let value = image.voxels[source]
                    if mask.voxels[source] != 0, value > 0 {
                        fitted.append(shape.offset(i, j, k))
                        logImage.append(log(value))
                    }
                }
            }
        }
        guard !fitted.isEmpty else {
            let shrunk = grid.factor > 1 ? " once shrunk by \(grid.factor) to \(shape)" : ""
            throw VolumeError(.emptyMask, detail: "the mask holds no voxel of positive intensity\(shrunk)")
        }
        self.configuration = configuration
        self.grid = grid
        self.fitted = fitted
        self.logImage = logImage
        logField = [Float](repeating: 0, count: fitted.count)
        let spans = configuration.controlPoints - 3
        lattice = ControlPointLattice(spans: SIMD3(repeating: spans))
    }

    /// Runs every level; returns the iterations each took.
    mutating func run() -> [Int] {
        let sharpening = HistogramSharpening(
            bins: configuration.histogramBins, fullWidthAtHalfMaximum: configuration.fullWidthAtHalfMaximum,
            wienerNoise: configuration.wienerNoise)
        var iterationsPerLevel: [Int] = []
        for (level, maximum) in configuration.maximumIterations.enumerated() {
            if level > 0 { lattice = lattice.refined() }
            let samples = LatticeSamples(offsets: fitted, shape: grid.shape, spans: lattice.spans)
            let normaliser = ControlPointLattice.normaliser(at: samples)
            var iterations = 0
            var convergence = Double.infinity
            while iterations < maximum, convergence > configuration.convergenceThreshold {
                iterations += 1
                let uncorrected = zip(logImage, logField).map { $0 - $1 }
                let sharpened = sharpening.sharpened(uncorrected)
                let residual = (0..<fitted.count).map { n in
                    Double(uncorrected[n] - sharpened[n]) * samples.inverseWeightSums[n]
                }
                lattice += ControlPointLattice.approximating(residual, at: samples, normaliser: normaliser)
                let newField = lattice.evaluated(at: samples)
                convergence = Self.variation(from: logField, to: newField)
                logField = newField
            }
            iterationsPerLevel.append(iterations)
        }
        return iterationsPerLevel
    }

    /// ITK's convergence measure: the coefficient of variation (sample standard deviation over
    /// mean) of exp(old − new) over the fitted voxels.
    private static func variation(from old: [Float], to new: [Float]) -> Double {
        guard old.count > 1 else { return 0 }
        let ratios = zip(old, new).map { exp(Double($0 - $1)) }
        let mean = ratios.reduce(0, +) / Double(ratios.count)
        let squares = ratios.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (squares / Double(ratios.count - 1)).squareRoot() / mean
    }
}
