import Neural
import Profiles
import Volume

/// One case segmented by one network, on the case's own T1c grid.
///
/// The network sees what it was trained on: ingest's preprocessing with the profile's spacing.
/// Its probability map lives on that preprocessed (reoriented, resampled, cropped) grid and is
/// sampled back onto the T1c's grid by nearest neighbour through world space, so each input voxel
/// takes the probability of the network voxel it lies in and voxels outside the crop take 0.
struct CasePrediction {
    /// Foreground probability on the T1c grid.
    var probabilities: Volume
    /// `probabilities ≥ 0.5` on the same grid, or tumor-free when the network's grid holds less
    /// tumor than the profile's minimum (`ExperimentProfile.segmentationRule`).
    var label: LabelVolume
    /// The grid the network saw.
    var networkGrid: GridShape

    /// `passes` averages that many Monte-Carlo dropout passes; otherwise one pass, or with
    /// `mirroring` the mean of the eight mirrored ones (`Predictor.mirroring`).
    init(
        network: UNet3D, profile: ExperimentProfile, t1c: Volume, t2: Volume, passes: Int?, seed: UInt64,
        mirroring: Bool = false, steps: Set<PreprocessingStep> = []
    ) throws {
        var configuration = PreprocessingConfiguration(spacing: SIMD3(repeating: profile.targetSpacing))
        configuration.run(steps)
        let preprocessed = try Preprocessor(configuration).run(caseID: "input", t1c: t1c, t2: t2, label: nil)
        let grid = preprocessed.t1c.shape
        let image = Tensor(
            shape: [2, grid.z, grid.y, grid.x], scalars: preprocessed.t1c.voxels + preprocessed.t2.voxels)
        var predictor = profile.predictor
        predictor.mirroring = mirroring
        network.precision = profile.precision
        let map =
            if let passes {
                predictor.monteCarloDropout(network, image: image, passes: passes, seed: seed).mean
            } else {
                predictor.predict(network, image: image).probabilities
            }
        let networkMap = Volume(shape: grid, affine: preprocessed.t1c.affine, voxels: map.scalars)
        probabilities = try networkMap.resampledNearest(onto: t1c.shape, affine: t1c.affine, outside: 0)
        let keepsTumor = profile.segmentationRule.foreground(map.scalars).contains(true)
        label = LabelVolume(
            shape: t1c.shape, affine: t1c.affine,
            voxels: probabilities.voxels.map { keepsTumor && $0 >= 0.5 ? 1 : 0 })
        networkGrid = grid
    }
}
