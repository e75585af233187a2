import Foundation
import Testing

@testable import Volume

@Suite struct RigidRegistrationTests {
    /// A head-like phantom in world mm: an ellipsoidal brain with a CSF rim, two ventricles, white
    /// matter inside and a smooth texture, in T1c-like or T2-like contrast (CSF dark or bright). The
    /// tissue borders are a few mm wide, so grids of different spacing sample the same anatomy
    /// rather than differently aliased steps.
    static func phantom(at p: SIMD3<Double>, t2: Bool) -> Float {
        let r = ((p / SIMD3(40, 48, 36)) * (p / SIMD3(40, 48, 36))).sum().squareRoot()
        guard r < 1 else { return 0 }
        func step(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
        let ventricle = [SIMD3(-9.0, 6, 4), SIMD3(11.0, 4, 6)].map { centre in
            let d = (p - centre) / SIMD3(5, 14, 7)
            return step((1 - (d * d).sum().squareRoot()) / 0.12)
        }.reduce(0, max)
        let texture = (t2 ? -40 : 40) * sin(p.x / 7) * cos(p.y / 9) * sin(p.z / 6)
        let (csf, grey, white) = t2 ? (1000.0, 600.0, 350.0) : (300.0, 650.0, 1000.0)
        let rim = max(step((r - 0.88) / 0.03), ventricle)
        let inner = step((0.62 - r) / 0.04)
        let parenchyma = grey + inner * (white - grey)
        return Float(parenchyma + rim * (csf - parenchyma) + texture)
    }

    /// The phantom sampled on a grid of `spacing` mm centred on the origin, placed in the world by
    /// `motion` (so registering it onto an unmoved phantom has `motion` as its answer).
    static func phantomVolume(shape: GridShape, spacing: Double, t2: Bool, motion: Affine = .identity) -> Volume {
        var grid = Affine.scaling(spacing, spacing, spacing)
        for axis in 0..<3 { grid[axis, 3] = -spacing * Double(shape[axis] - 1) / 2 }
        var voxels = [Float](repeating: 0, count: shape.count)
        for k in 0..<shape.z {
            for j in 0..<shape.y {
                for i in 0..<shape.x {
                    let (x, y, z) = grid.apply((Double(i), Double(j), Double(k)))
                    voxels[shape.offset(i, j, k)] = phantom(at: SIMD3(x, y, z), t2: t2)
                }
            }
        }
        return Volume(shape: shape, affine: motion * grid, voxels: voxels)
    }

    static let fixedPhantom = phantomVolume(shape: GridShape(48, 56, 44), spacing: 2, t2: false)

    @Test func transformMatrixFollowsITKsEulerConventionAsTheVectorsDo() throws {
        let vectors = RegistrationVectors.shared
        let centre = SIMD3(vectors.centre[0], vectors.centre[1], vectors.centre[2])
        for pair in vectors.pairs {
            let transform = RigidTransform(
                angles: SIMD3(pair.angles[0], pair.angles[1], pair.angles[2]) * .pi / 180,
                translation: SIMD3(pair.translation[0], pair.translation[1], pair.translation[2]), centre: centre)
            #expect(maxDifference(transform.matrix, pair.truthTransform) < 1e-9, "\(pair.name)")
            let point = SIMD3(12.5, -30.0, 7.0)
            let applied = transform.apply(point)
            let viaMatrix = transform.matrix.apply((point.x, point.y, point.z))
            #expect(abs(applied.x - viaMatrix.0) + abs(applied.y - viaMatrix.1) + abs(applied.z - viaMatrix.2) < 1e-9)
        }
    }

    @Test func mutualInformationGradientMatchesFiniteDifferences() throws {
        let moving = Self.phantomVolume(shape: GridShape(40, 46, 36), spacing: 2.5, t2: true)
        let fixed = Self.fixedPhantom
        let metric = MattesMutualInformation(
            fixed: fixed, mask: BrainMask.nonzero([fixed]), moving: moving, bins: 32, stride: 3)
        let transform = RigidTransform(
            angles: SIMD3(0.05, -0.03, 0.04), translation: SIMD3(1.3, -2.1, 0.7), centre: SIMD3(0.5, -1, 2))
        let evaluation = try #require(metric.evaluate(transform, withGradient: true))
        #expect(evaluation.value < -0.1, "MI of related images is clearly positive")
        let largest = evaluation.gradient.map(abs).max() ?? 0
        for parameter in 0..<6 {
            let h = parameter < 3 ? 1e-5 : 1e-4
            var plus = transform.parameters, minus = transform.parameters
            plus[parameter] += h
            minus[parameter] -= h
            let up = try #require(metric.evaluate(transform.with(parameters: plus), withGradient: false))
            let down = try #require(metric.evaluate(transform.with(parameters: minus), withGradient: false))
            let numeric = (up.value - down.value) / (2 * h)
            let analytic = evaluation.gradient[parameter]
            #expect(
                abs(numeric - analytic) <= 0.02 * largest,
                "parameter \(parameter): analytic \(analytic), finite difference \(numeric)")
        }
    }

    @Test func identicallyPlacedImagesRegisterToTheIdentity() throws {
        let moving = Self.phantomVolume(shape: GridShape(40, 46, 36), spacing: 2.5, t2: true)
        let result = try RigidRegistration().register(moving: moving, fixed: Self.fixedPhantom)
        let points = RegistrationPairs.Lattice(
            shape: Self.fixedPhantom.shape, affine: Self.fixedPhantom.affine, t1: [], t2: [],
            brain: Self.fixedPhantom.voxels.map { $0 != 0 }
        ).brainPoints
        let displacement = RegistrationPairs.meanDisplacement(result.transform.matrix, .identity, over: points)
        // The phantom's few smooth structures pin translation down better than rotation (the template
        // pairs below hold the 0.5° target); a broken metric or optimiser misses both by far more.
        #expect(displacement < 0.5, "mean displacement \(displacement) mm from the identity")
        #expect(RegistrationPairs.rotationError(result.transform.matrix, .identity) < 1)
        #expect(result.overlap > 0.95)
        #expect(result.metric <= result.initialMetric)
    }

    @Test func imagesThatDoNotOverlapGiveTheTypedFailure() {
        let far = Self.phantomVolume(
            shape: GridShape(40, 46, 36), spacing: 2.5, t2: true, motion: .translation(1000, 0, 0))
        let registration = RigidRegistration(.init(initialisation: .identity))
        #expect {
            try registration.register(moving: far, fixed: Self.fixedPhantom)
        } throws: { error in
            guard let error = error as? RegistrationError else { return false }
            return error.code == .tooLittleOverlap && error.overlap == 0
        }
    }

    @Test func motionBeyondTheAllowedRangeIsReportedAsDivergence() {
        let moved = Self.phantomVolume(
            shape: GridShape(40, 46, 36), spacing: 2.5, t2: true, motion: .translation(12, 0, 0))
        let registration = RigidRegistration(.init(initialisation: .identity, maximumTranslation: 5))
        #expect {
            try registration.register(moving: moved, fixed: Self.fixedPhantom)
        } throws: { error in
            (error as? RegistrationError)?.code == .diverged
        }
    }

    /// One 12 mm step from 2 mm off the optimum overshoots it: the result is plausible and overlaps,
    /// but matches worse than where it started, which is a failure and not a registration.
    @Test func anOptimiserThatEndsWorseThanItStartedIsReportedAsSuch() {
        let moved = Self.phantomVolume(
            shape: GridShape(40, 46, 36), spacing: 2.5, t2: true, motion: .translation(2, 0, 0))
        let registration = RigidRegistration(
            .init(
                shrinkFactors: [1], smoothingSigmas: [0], learningRate: 12, maximumIterations: 1,
                initialisation: .identity))
        #expect {
            try registration.register(moving: moved, fixed: Self.fixedPhantom)
        } throws: { error in
            guard let error = error as? RegistrationError, error.code == .metricNotImproved else { return false }
            return error.metric.map(\.isFinite) == true && (error.overlap ?? 0) >= 0.5
        }
    }

    @Test func preprocessorRegistrationUndoesTheHeadMotionBetweenSequences() throws {
        let t1c = Self.fixedPhantom
        let still = Self.phantomVolume(shape: GridShape(40, 46, 36), spacing: 2.5, t2: true)
        let motion = RigidTransform(angles: SIMD3(0.1, -0.06, 0.08), translation: SIMD3(5, -4, 3)).matrix
        let moved = Self.phantomVolume(shape: GridShape(40, 46, 36), spacing: 2.5, t2: true, motion: motion)
        let mask = BrainMask.nonzero([t1c])
        let plain = Preprocessor(PreprocessingConfiguration(spacing: SIMD3(2, 2, 2)))
        var settings = PreprocessingConfiguration(spacing: SIMD3(2, 2, 2))
        settings.t2Registration = RigidRegistration.Configuration()
        let registering = Preprocessor(settings)
        let reference = try plain.run(caseID: "still", t1c: t1c, t2: still, label: nil, mask: mask)
        let unregistered = try plain.run(caseID: "moved", t1c: t1c, t2: moved, label: nil, mask: mask)
        let registered = try registering.run(caseID: "moved", t1c: t1c, t2: moved, label: nil, mask: mask)
        func meanDifference(_ a: Volume, _ b: Volume) -> Double {
            zip(a.voxels, b.voxels).reduce(0.0) { $0 + Double(abs($1.0 - $1.1)) } / Double(a.voxels.count)
        }
        #expect(registered.t2.hasSameGrid(as: reference.t2))
        let before = meanDifference(unregistered.t2, reference.t2), after = meanDifference(registered.t2, reference.t2)
        #expect(after < before / 4, "mean |difference| of z-scored T2: \(after) registered, \(before) not")
    }

    @Test func aFailedRegistrationFailsTheCaseWithItsOwnCode() {
        let far = Self.phantomVolume(
            shape: GridShape(40, 46, 36), spacing: 2.5, t2: true, motion: .translation(1000, 0, 0))
        var settings = PreprocessingConfiguration(spacing: SIMD3(2, 2, 2))
        settings.t2Registration = RigidRegistration.Configuration(initialisation: .identity)
        #expect {
            try Preprocessor(settings).run(caseID: "far", t1c: Self.fixedPhantom, t2: far, label: nil)
        } throws: { error in
            guard let error = error as? VolumeError else { return false }
            return error.code == .registrationFailed && error.caseID == "far"
                && error.detail.contains("tooLittleOverlap")
        }
    }

    @Test(
        "recovers known motions on the template pairs, as well as SimpleITK (after scripts/fetch-template)",
        .enabled(if: RegistrationPairs.templateAvailable), arguments: RegistrationVectors.shared.pairs)
    func recoversKnownMotionAsWellAsSimpleITK(_ pair: RegistrationVectors.Pair) throws {
        let vectors = RegistrationVectors.shared
        let pairs = try #require(RegistrationPairs.shared)
        let (grid, fixed, moving) = pairs.pair(pair, f: 2, vectors: vectors)
        #expect([fixed.shape.x, fixed.shape.y, fixed.shape.z] == vectors.shape)
        // The same images as the script made, so the comparison with SimpleITK is like for like.
        let fixedSum = fixed.voxels.reduce(0.0) { $0 + Double($1) }
        let movingSum = moving.voxels.reduce(0.0) { $0 + Double($1) }
        #expect(abs(fixedSum - pair.fixed_sum) <= 1e-7 * pair.fixed_sum)
        #expect(abs(movingSum - pair.moving_sum) <= 1e-7 * pair.moving_sum)

        let result = try RigidRegistration().register(moving: moving, fixed: fixed)
        let displacement = RegistrationPairs.meanDisplacement(
            result.transform.matrix, pair.truthTransform, over: grid.brainPoints)
        let rotation = RegistrationPairs.rotationError(result.transform.matrix, pair.truthTransform)
        #expect(displacement < 0.5, "mean displacement \(displacement) mm")
        #expect(rotation < 0.5, "rotation error \(rotation)°")
        #expect(
            displacement <= pair.simpleitk.displacement_mm + 0.15,
            "\(displacement) mm against SimpleITK's \(pair.simpleitk.displacement_mm) mm")
        #expect(
            rotation <= pair.simpleitk.rotation_deg + 0.1,
            "\(rotation)° against SimpleITK's \(pair.simpleitk.rotation_deg)°")
        let (moved, coverage) = try RigidRegistration.resample(moving, ontoGridOf: fixed, through: result.transform)
        #expect(moved.hasSameGrid(as: fixed))
        #expect(coverage > 0.9)
    }
}
