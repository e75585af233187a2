import Artifacts
import Foundation
import Volume

/// A preprocessed case's files in the artifact store: the network input as one two-channel
/// (T1c, T2) float32 NIfTI, and the binary label as a uint8 NIfTI.
///
/// Each file is written to a scratch folder first and then `put`, so the store only ever holds
/// complete files; the bytes are a pure function of the preprocessed volumes (gzip without a time
/// stamp), so importing a case again yields the same artifact ids.
struct CaseArtifacts: Sendable {
    var image: ArtifactID
    var label: ArtifactID?
    var shape: GridShape
    /// Voxels in the label's target mask; nil for an unlabelled case.
    var labelVoxels: UInt64?

    /// Writes and stores `preprocessed`; blocks on file I/O.
    static func store(_ preprocessed: PreprocessedCase, in artifacts: ArtifactStore) throws -> CaseArtifacts {
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("activeseg-ingest-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }

        let imageFile = scratch.appendingPathComponent("image.nii.gz")
        try NIfTI.write(channels: [preprocessed.t1c, preprocessed.t2], to: imageFile)
        let image = try artifacts.put(contentsOf: imageFile)
        var label: ArtifactID?
        var labelVoxels: UInt64?
        if let mask = preprocessed.label {
            let labelFile = scratch.appendingPathComponent("label.nii.gz")
            try NIfTI.write(mask, to: labelFile)
            label = try artifacts.put(contentsOf: labelFile)
            labelVoxels = UInt64(mask.voxels.reduce(0) { $0 + ($1 != 0 ? 1 : 0) })
        }
        return CaseArtifacts(image: image, label: label, shape: preprocessed.t1c.shape, labelVoxels: labelVoxels)
    }
}
