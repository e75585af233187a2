import Artifacts
import Foundation
import Logging
import Store
import Volume

/// Turns a mask a person drew on a case's original images into the label artifact ingest would
/// have stored for that case: the same reorientation, resampling and crop as the case's image.
///
/// The case row records the optional steps the case went through (skull stripping, registration,
/// bias correction), which run again with their default settings, as ingest ran them; the rest of
/// ingest's settings are recovered from its outputs: the stored image's grid gives the orientation
/// and spacing, and the case is preprocessed again from its source files by the Volume library's
/// own importer with the delivered mask as its label.
/// The recomputed image must land on the stored image's grid, which proves the crop is the one
/// ingest made. The label coding is the one the source declares (BraTS folder names, an nnU-Net
/// `dataset.json`); a manifest declares none, so any nonzero value of its masks is the target.
/// Target values given to ingest in place of the source's are not on record, so a dataset
/// ingested with them takes masks in its source's coding here. A synthetic cohort is a folder in
/// the BraTS layout.
///
/// A label costs one preprocessing of its case (seconds for a BraTS-sized case), which a label a
/// person spent minutes on can afford.
struct LabelPreparation: Sendable {
    let artifacts: ArtifactStore
    let logger: Logger

    /// A stored label and the size of its target, which the case row keeps beside it.
    struct PreparedLabel: Sendable {
        var artifact: ArtifactID
        var foregroundVoxels: Int
    }

    /// The label artifact for `file`, delivered for the ingested case `record` of `dataset`; blocks
    /// only a Dispatch thread (``BlockingWork``).
    func prepare(
        _ file: URL, for record: CaseRecord, in dataset: DatasetRecord
    ) async throws(LabelRefusal)
        -> PreparedLabel
    {
        let preparation = self
        return try await BlockingWork.run { () throws(LabelRefusal) -> PreparedLabel in
            try preparation.prepareNow(file, for: record, in: dataset)
        }
    }

    private func prepareNow(
        _ file: URL, for record: CaseRecord, in dataset: DatasetRecord
    ) throws(LabelRefusal)
        -> PreparedLabel
    {
        let name = record.sourceName
        guard case .ingested(_, let imageSHA256, _) = record.state, let image = ArtifactID(sha256: imageSHA256) else {
            throw LabelRefusal(.sourceUnavailable, caseName: name, detail: "the case is not ingested")
        }
        let grid = try storedGrid(image, caseName: name)
        let orientation: AxisCodes
        do {
            orientation = try AxisCodes(affine: grid.affine)
        } catch {
            throw LabelRefusal(
                .sourceUnavailable, caseName: name, detail: "its stored image has no orientation: \(error)")
        }
        var source = try self.source(of: name, in: dataset)
        var configuration = PreprocessingConfiguration(orientation: orientation, spacing: grid.affine.spacing)
        configuration.run(Set(record.preprocessingSteps.compactMap(PreprocessingStep.init(rawValue:))))
        configuration.labels =
            source.labelConvention
            ?? LabelConvention(declaredValues: Set(0...255), foregroundValues: Set(1...255))
        source.label = file
        source.labelConvention = configuration.labels
        let prepared: PreprocessedCase
        do throws(VolumeError) {
            prepared = try CaseImporter(preprocessor: Preprocessor(configuration), logger: logger).importCase(source)
        } catch  where error.file == file.path {
            throw LabelRefusal(
                error.code == .gridMismatch ? .gridMismatch : .unreadable, caseName: name,
                file: file.path, detail: error.detail)
        } catch {
            throw LabelRefusal(.sourceUnavailable, caseName: name, file: error.file, detail: error.detail)
        }
        guard prepared.t1c.shape == grid.shape, prepared.t1c.affine.isClose(to: grid.affine),
            let label = prepared.label
        else {
            throw LabelRefusal(
                .sourceUnavailable, caseName: name,
                detail: "its source files no longer preprocess to its stored image (grid "
                    + "\(prepared.t1c.shape), stored \(grid.shape)); ingest the dataset again")
        }
        return PreparedLabel(artifact: try store(label, caseName: name), foregroundVoxels: label.foregroundVoxels)
    }

    /// The grid of the stored preprocessed image: its first three dimensions and its affine.
    private func storedGrid(
        _ image: ArtifactID, caseName: String
    ) throws(LabelRefusal) -> (shape: GridShape, affine: Affine) {
        do {
            let info = try ArtifactStore.withName("image.nii.gz", for: try artifacts.path(for: image)) {
                try NIfTI.fileInfo(at: $0)
            }
            let dimensions = info.dimensions
            return (GridShape(dimensions[0], dimensions[1], dimensions[2]), info.affine)
        } catch {
            throw LabelRefusal(
                .sourceUnavailable, caseName: caseName, detail: "its stored image does not read: \(error)")
        }
    }

    /// The case's source files, found again as ingest found them.
    private func source(of name: String, in dataset: DatasetRecord) throws(LabelRefusal) -> CaseSource {
        let root = URL(fileURLWithPath: dataset.sourceURI)
        let discoveries: [CaseDiscovery]
        do throws(VolumeError) {
            discoveries =
                switch dataset.sourceKind {
                case .brats, .synthetic: try BraTSDataset.discover(root: root)
                case .nnunet: try NNUNetDataset.discover(root: root)
                case .manifest: try ManifestDataset.discover(manifest: root, root: root.deletingLastPathComponent())
                }
        } catch {
            throw LabelRefusal(
                .sourceUnavailable, caseName: name, file: error.file,
                detail: "the dataset's source no longer lists its cases: \(error.detail)")
        }
        for case .success(let source) in discoveries where source.id == name { return source }
        throw LabelRefusal(
            .sourceUnavailable, caseName: name, file: dataset.sourceURI,
            detail: "the dataset's source no longer holds the case's images")
    }

    /// Writes the binary label as ingest writes it and stores it.
    private func store(_ label: LabelVolume, caseName: String) throws(LabelRefusal) -> ArtifactID {
        do {
            return try artifacts.put(writtenAs: "label.nii.gz") { try NIfTI.write(label, to: $0) }
        } catch {
            throw LabelRefusal(.storeFailed, caseName: caseName, detail: "the label could not be stored: \(error)")
        }
    }
}
