import Foundation
import Testing

@testable import Volume

/// SimpleITK's figures for N4 on the MNI template under known fields (`scripts/vectors/volume_n4.py`).
struct N4Vectors: Decodable {
    struct Parameters: Decodable {
        var shrink: Int
        var iterations: [Int]
        var convergence: Double
        var fwhm: Double
        var wienerNoise: Double
        var bins: Int
        var controlPoints: Int
    }

    struct Field: Decodable, CustomTestStringConvertible {
        var name: String
        var correlation: Double
        var wmCoV: Double
        var wmCoVBiased: Double
        var otsuVoxels: Int
        var testDescription: String { name }
    }

    var shape: [Int]
    var parameters: Parameters
    var maskVoxels: Int
    var whiteMatterVoxels: Int
    var fields: [Field]

    static let all: N4Vectors = {
        // A missing or malformed file fails every test that reads it, with the decoding error.
        try! JSONDecoder().decode(N4Vectors.self, from: vectorData("n4.json"))
    }()

    var configuration: BiasFieldCorrection.Configuration {
        BiasFieldCorrection.Configuration(
            shrinkFactor: parameters.shrink, maximumIterations: parameters.iterations,
            convergenceThreshold: parameters.convergence, histogramBins: parameters.bins,
            fullWidthAtHalfMaximum: parameters.fwhm, wienerNoise: parameters.wienerNoise,
            controlPoints: parameters.controlPoints)
    }
}

@Suite struct BiasFieldCorrectionTests {
    static let templateFolder = URL(
        fileURLWithPath: ProcessInfo.processInfo.environment["ACTIVESEG_TEMPLATE_DIR"]
            ?? NSHomeDirectory() + "/.cache/activeseg/mni-icbm152-2009a")
    static let templateAvailable = FileManager.default.fileExists(
        atPath: templateFolder.appendingPathComponent("mni_icbm152_t1_tal_nlin_sym_09a_converted.nii.gz").path)

    /// The template T1 and white-matter map averaged over 2×2×2 blocks, as the vector script does.
    static let template: (t1: Volume, whiteMatter: Volume)? = {
        guard templateAvailable else { return nil }
        let name = { (map: String) in
            templateFolder.appendingPathComponent("mni_icbm152_\(map)_tal_nlin_sym_09a_converted.nii.gz")
        }
        guard let t1 = try? NIfTI.readImage(at: name("t1")), let wm = try? NIfTI.readImage(at: name("wm")) else {
            return nil
        }
        return (blockAverage(t1), blockAverage(wm))
    }()

    static func blockAverage(_ volume: Volume) -> Volume {
        let shape = GridShape(volume.shape.x / 2, volume.shape.y / 2, volume.shape.z / 2)
        var voxels = [Float](repeating: 0, count: shape.count)
        for k in 0..<shape.z {
            for j in 0..<shape.y {
                for i in 0..<shape.x {
                    var sum = 0.0
                    for c in 0..<2 {
                        for b in 0..<2 {
                            for a in 0..<2 { sum += Double(volume[2 * i + a, 2 * j + b, 2 * k + c]) }
                        }
                    }
                    voxels[shape.offset(i, j, k)] = Float(sum / 8)
                }
            }
        }
        return Volume(shape: shape, affine: volume.affine * .scaling(2, 2, 2), voxels: voxels)
    }

    static func gaussian(_ x: Double, _ y: Double, _ z: Double, _ centre: SIMD3<Double>, _ sigma: Double) -> Double {
        let (dx, dy, dz) = (x - centre.x, y - centre.y, z - centre.z)
        return exp(-(dx * dx + dy * dy + dz * dz) / (2 * sigma * sigma))
    }

    /// The vector script's fields, of normalised coordinates in [−1, 1] (first to last voxel centre).
    static func field(named name: String, x: Double, y: Double, z: Double) -> Double {
        switch name {
        case "polynomial": 1 + 0.15 * x + 0.08 * y * y - 0.07 * x * z
        case "gaussians":
            0.85 + 0.3 * gaussian(x, y, z, SIMD3(0.5, 0.4, 0.3), 0.45) + 0.2
                * gaussian(x, y, z, SIMD3(-0.6, -0.3, -0.2), 0.5)
        case "sinusoid": 1 + 0.25 * sin(Double.pi * (0.6 * x + 0.3 * z)) * cos(Double.pi * 0.5 * y)
        default: Double.nan
        }
    }

    static func fieldVolume(_ name: String, on shape: GridShape) -> [Double] {
        var values = [Double](repeating: 0, count: shape.count)
        for k in 0..<shape.z {
            for j in 0..<shape.y {
                for i in 0..<shape.x {
                    values[shape.offset(i, j, k)] = field(
                        named: name, x: 2 * Double(i) / Double(shape.x - 1) - 1,
                        y: 2 * Double(j) / Double(shape.y - 1) - 1, z: 2 * Double(k) / Double(shape.z - 1) - 1)
                }
            }
        }
        return values
    }

    static func correlation(_ a: [Double], _ b: [Double]) -> Double {
        let (ma, mb) = (a.reduce(0, +) / Double(a.count), b.reduce(0, +) / Double(b.count))
        var (ab, aa, bb) = (0.0, 0.0, 0.0)
        for (x, y) in zip(a, b) {
            ab += (x - ma) * (y - mb)
            aa += (x - ma) * (x - ma)
            bb += (y - mb) * (y - mb)
        }
        return ab / (aa * bb).squareRoot()
    }

    /// The population standard deviation, as numpy's `std`.
    static func standardDeviation(_ values: [Double]) -> Double {
        let mean = values.reduce(0, +) / Double(values.count)
        return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
    }

    static func coefficientOfVariation(_ values: [Double]) -> Double {
        standardDeviation(values) / (values.reduce(0, +) / Double(values.count))
    }

    @Test(
        "N4 recovers known fields on the MNI template as well as SimpleITK (after scripts/fetch-template)",
        .enabled(if: templateAvailable), arguments: N4Vectors.all.fields)
    func recoversKnownFieldsAsWellAsSimpleITK(_ reference: N4Vectors.Field) throws {
        let vectors = N4Vectors.all
        let (t1, whiteMatter) = try #require(Self.template)
        #expect([t1.shape.x, t1.shape.y, t1.shape.z] == vectors.shape)
        let truth = Self.fieldVolume(reference.name, on: t1.shape)
        let biased = Volume(
            shape: t1.shape, affine: t1.affine, voxels: zip(t1.voxels, truth).map { Float(Double($0) * $1) })
        let mask = LabelVolume(shape: t1.shape, affine: t1.affine, voxels: t1.voxels.map { $0 > 0 ? 1 : 0 })
        #expect(mask.foregroundVoxels == vectors.maskVoxels)
        let result = try BiasFieldCorrection(vectors.configuration).run(biased, mask: mask)
        let otsu = BrainMask.otsu(biased).foregroundVoxels
        #expect(
            abs(otsu - reference.otsuVoxels) <= reference.otsuVoxels / 1000,
            "Otsu: \(otsu) voxels, SimpleITK's \(reference.otsuVoxels)")

        let inside = mask.voxels.indices.filter { mask.voxels[$0] != 0 }
        let correlation = Self.correlation(
            inside.map { log(Double(result.field.voxels[$0])) }, inside.map { log(truth[$0]) })
        let white = whiteMatter.voxels.indices.filter { whiteMatter.voxels[$0] > 0.9 * 255 }
        #expect(white.count == vectors.whiteMatterVoxels)
        let variation = Self.coefficientOfVariation(white.map { Double(result.corrected.voxels[$0]) })
        print(
            "N4 \(reference.name): correlation \(correlation) (SimpleITK \(reference.correlation)), WM CoV \(variation)"
                + " (SimpleITK \(reference.wmCoV), biased \(reference.wmCoVBiased)), iterations \(result.iterations)")
        #expect(correlation >= reference.correlation - 0.02)
        #expect(variation <= reference.wmCoV * 1.05)
    }

    /// A ball of two tissues on a zero background, 40³.
    static func phantom(field: (Double, Double, Double) -> Double = { _, _, _ in 1 }) -> Volume {
        let shape = GridShape(40, 40, 40)
        var voxels = [Float](repeating: 0, count: shape.count)
        for k in 0..<shape.z {
            for j in 0..<shape.y {
                for i in 0..<shape.x {
                    let (x, y, z) = (Double(i - 20) / 17, Double(j - 20) / 17, Double(k - 20) / 17)
                    let radius = (x * x + y * y + z * z).squareRoot()
                    guard radius < 1 else { continue }
                    let tissue: Double = (i / 5 + j / 5 + k / 5) % 2 == 0 ? 100 : 160
                    voxels[shape.offset(i, j, k)] = Float(tissue * field(x, y, z))
                }
            }
        }
        return Volume(shape: shape, affine: .identity, voxels: voxels)
    }

    static let quick = BiasFieldCorrection.Configuration(shrinkFactor: 2, maximumIterations: [20, 20, 20])

    @Test func aConstantFieldIsRecoveredAsConstant() throws {
        // Any scale is a valid answer (N4 cannot tell a global gain from the tissue); its shape must be flat.
        let result = try BiasFieldCorrection(Self.quick).run(Self.phantom { _, _, _ in 1.7 })
        let inside = result.mask.voxels.indices.filter { result.mask.voxels[$0] != 0 }
        let values = inside.map { Double(result.field.voxels[$0]) }
        let (low, high) = (values.min()!, values.max()!)
        #expect(high / low < 1.02, "field from \(low) to \(high) inside the mask")
    }

    @Test func theCorrectedImageTimesTheFieldIsTheInput() throws {
        let image = Self.phantom { x, y, _ in 1 + 0.25 * x - 0.1 * y }
        let result = try BiasFieldCorrection(Self.quick).run(image)
        #expect(result.corrected.hasSameGrid(as: image) && result.field.hasSameGrid(as: image))
        for (index, value) in image.voxels.enumerated() {
            let product = result.corrected.voxels[index] * result.field.voxels[index]
            #expect(abs(product - value) <= 1e-5 * max(abs(value), 1))
        }
    }

    @Test func aLinearFieldIsRemovedFromAPhantom() throws {
        let biasedImage = Self.phantom { x, _, z in 1 + 0.25 * x - 0.15 * z }
        let result = try BiasFieldCorrection(Self.quick).run(biasedImage)
        let inside = result.mask.voxels.indices.filter { result.mask.voxels[$0] != 0 }
        let (before, after) = (
            Self.coefficientOfVariation(inside.map { Double(biasedImage.voxels[$0]) }),
            Self.coefficientOfVariation(inside.map { Double(result.corrected.voxels[$0]) })
        )
        let unbiased = Self.phantom()
        let clean = Self.coefficientOfVariation(inside.map { Double(unbiased.voxels[$0]) })
        #expect(after < before)
        #expect(after < clean * 1.15, "CoV \(before) biased, \(after) corrected, \(clean) without a field")
    }

    @Test func masksWithNothingToFitAreRefused() {
        let image = Self.phantom()
        let empty = LabelVolume(
            shape: image.shape, affine: image.affine, voxels: .init(repeating: 0, count: image.shape.count))
        #expect(code { _ = try BiasFieldCorrection().run(image, mask: empty) } == .emptyMask)
        // Inside the mask only background (zero) voxels: nothing has a logarithm.
        let background = LabelVolume(
            shape: image.shape, affine: image.affine, voxels: image.voxels.map { $0 == 0 ? 1 : 0 })
        #expect(code { _ = try BiasFieldCorrection().run(image, mask: background) } == .emptyMask)
        let other = LabelVolume(shape: GridShape(8, 8, 8), affine: .identity, voxels: .init(repeating: 1, count: 512))
        #expect(code { _ = try BiasFieldCorrection().run(image, mask: other) } == .gridMismatch)
    }

    @Test(arguments: [
        BiasFieldCorrection.Configuration(shrinkFactor: 0), BiasFieldCorrection.Configuration(maximumIterations: []),
        BiasFieldCorrection.Configuration(maximumIterations: [50, 0]),
        BiasFieldCorrection.Configuration(histogramBins: 1),
        BiasFieldCorrection.Configuration(wienerNoise: 0), BiasFieldCorrection.Configuration(controlPoints: 3),
    ])
    func parametersOutOfRangeAreRefused(_ configuration: BiasFieldCorrection.Configuration) {
        #expect(code { _ = try BiasFieldCorrection(configuration).run(Self.phantom()) } == .invalidParameter)
    }

    @Test func refiningTheLatticeKeepsTheSpline() {
        var lattice = ControlPointLattice(spans: SIMD3(2, 1, 3))
        let shape = GridShape(9, 7, 11)
        // Every other voxel holds data, so the samples are scattered.
        let offsets = Array(stride(from: 0, to: shape.count, by: 2))
        let samples = LatticeSamples(offsets: offsets, shape: shape, spans: lattice.spans)
        let data = offsets.enumerated().map { n, offset in
            Double((offset * 7919) % 101) / 10 * samples.inverseWeightSums[n]
        }
        lattice += ControlPointLattice.approximating(
            data, at: samples, normaliser: ControlPointLattice.normaliser(at: samples))
        let fine = lattice.refined()
        #expect(fine.spans == SIMD3(4, 2, 6))
        let before = lattice.evaluated(on: shape)
        let after = fine.evaluated(on: shape)
        #expect(zip(before, after).allSatisfy { abs($0 - $1) < 1e-4 })
        #expect(before.contains { abs($0) > 0.1 })
        #expect(zip(lattice.evaluated(at: samples), offsets.map { before[$0] }).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test func otsuSeparatesTheBallFromTheBackground() {
        let image = Self.phantom()
        let mask = BrainMask.otsu(image)
        #expect(mask.voxels == image.voxels.map { $0 > 0 ? 1 : 0 })
    }

    @Test func preprocessingCorrectsEachChannelBeforeZScoringWhenAsked() throws {
        let field = { (x: Double, y: Double, _: Double) in 1 + 0.25 * x - 0.1 * y }
        let (clean, biased) = (Self.phantom(), Self.phantom(field: field))
        let withN4 = Preprocessor(PreprocessingConfiguration(biasFieldCorrection: Self.quick))
        let reference = try Preprocessor().run(caseID: "clean", t1c: clean, t2: clean, label: nil)
        let plain = try Preprocessor().run(caseID: "plain", t1c: biased, t2: biased, label: nil)
        let corrected = try withN4.run(caseID: "n4", t1c: biased, t2: biased, label: nil)
        #expect(corrected.t1c.hasSameGrid(as: plain.t1c))
        // The darker tissue: below the mean in the unbiased image, inside the brain.
        let darker = reference.t1c.voxels.indices.filter {
            reference.brainMask.voxels[$0] != 0 && reference.t1c.voxels[$0] < 0
        }
        for channel in [\PreprocessedCase.t1c, \PreprocessedCase.t2] {
            let spreadPlain = Self.standardDeviation(darker.map { Double(plain[keyPath: channel].voxels[$0]) })
            let spreadN4 = Self.standardDeviation(darker.map { Double(corrected[keyPath: channel].voxels[$0]) })
            #expect(spreadN4 < spreadPlain * 0.5, "spread \(spreadPlain) without N4, \(spreadN4) with it")
        }
    }
}
