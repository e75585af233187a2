import Artifacts
import Foundation
import Volume

/// A preprocessed case's files in the artifact store: the network input as one two-channel
/// (T1c, T2) float32 NIfTI, and the binary label as a uint8 NIfTI.
///
/// Each file is written to a scratch folder first and then stored (`put(writtenAs:by:)`), so the
/// store only ever holds complete files; the bytes are a pure function of the preprocessed volumes (gzip without a time
/// stamp), so importing a case again yields the same artifact ids.
struct CaseArtifacts: Sendable {
    var image: ArtifactID
    var label: ArtifactID?
    var shape: GridShape
    /// Voxels in the label's target mask; nil for an unlabelled case.
    var labelVoxels: Int?
    /// Seconds each optional preprocessing step took on the case.
    var stepSeconds: [PreprocessingStep: Double]

    /// Writes and stores `preprocessed`; blocks on file I/O.
    static func store(_ preprocessed: PreprocessedCase, in artifacts: ArtifactStore) throws -> CaseArtifacts {
        let image = try artifacts.put(writtenAs: "image.nii.gz") {
            try NIfTI.write(channels: [preprocessed.t1c, preprocessed.t2], to: $0)
        }
        var label: ArtifactID?
        if let mask = preprocessed.label {
            label = try artifacts.put(writtenAs: "label.nii.gz") { try NIfTI.write(mask, to: $0) }
        }
        return CaseArtifacts(
            image: image, label: label, shape: preprocessed.t1c.shape,
            labelVoxels: preprocessed.label?.foregroundVoxels, stepSeconds: preprocessed.stepSeconds)
    }
}
