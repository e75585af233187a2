import Foundation
import Neural
import Profiles
import Reporting
import Statistics

/// The paper's Fig. 3 picture of one labelled, preprocessed case: a checkpoint's segmentation
/// (`ExperimentProfile.segmentationRule`, as evaluation scores it) and the truth outlined on the
/// axial slice with the most tumor. `case overlay` draws one; `report` draws one for every case a
/// strategy picked.
enum CaseOverlay {
    /// Predicts with the checkpoint in one deterministic pass of `profile`'s inference strategy (the
    /// checkpoint's recorded profile when nil). Blocking: call it through `blockingWork`.
    static func draw(
        _ trainingCase: TrainingCase, checkpoint: URL, profile: ExperimentProfile?, scale: Int
    ) throws
        -> SliceOverlay
    {
        let loaded = try CheckpointFile.load(checkpoint)
        let profile = try profile ?? CheckpointFile.profile(of: loaded, file: checkpoint.path)
        let image = trainingCase.image
        let probabilities = profile.predictor.predict(loaded.network, image: image).probabilities.scalars
        let (z, y, x) = (image.shape[1], image.shape[2], image.shape[3])
        return try SliceOverlay(
            shape: (x, y, z), image: Array(image.scalars[0..<(x * y * z)]),
            prediction: profile.segmentationRule.foreground(probabilities).map { $0 ? 1 : 0 },
            truth: trainingCase.label, scale: scale)
    }
}
