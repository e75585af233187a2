import Artifacts
import Domain
import Foundation
import Neural
import Proto
import ServiceRuntime
import Store
import Volume

/// Loads the cases a job names as the network sees them, from the case rows and the artifact
/// store: the preprocessed two-channel image as a `[2, D, H, W]` tensor (z, y, x: NIfTI's voxel
/// order read from the slowest axis) and the label as one byte per voxel in the same order.
///
/// The case rows, not the job, say which artifacts belong to a case, so a job cannot pair a case
/// with another case's files. Failures carry the contract's codes: a case that is not ingested is
/// `notFound`, a missing or corrupt artifact `dataLoss`, a missing label `failedPrecondition`.
public struct CaseLoader: Sendable {
    public let store: PostgresClient
    public let artifacts: ArtifactStore

    public init(store: PostgresClient, artifacts: ArtifactStore) {
        self.store = store
        self.artifacts = artifacts
    }

    /// The case row of `caseID`.
    public func files(_ caseID: String) async throws -> CaseFiles {
        let id = try CaseID(wireForm: caseID, field: "case_id")
        guard let files = try await CaseRepository.files(of: id, on: store) else {
            throw RPCError(.notFound, "case \(caseID) is not an ingested case", details: ["case.id": caseID])
        }
        return files
    }

    /// The case's image as the network's input.
    public func image(_ files: CaseFiles) throws -> Tensor {
        let url = try path(files.imageSHA256, of: files, role: "image")
        let channels: [VoxelGrid<Float>]
        do {
            channels = try ArtifactStore.withName("\(url.lastPathComponent).nii.gz", for: url) {
                try NIfTI.readChannels(at: $0, caseID: files.id.wireForm)
            }
        } catch {
            throw RPCError(
                .dataLoss, "the image of case \(files.id.wireForm) does not read: \(error)",
                details: ["case.id": files.id.wireForm, "artifact": files.imageSHA256], cause: error)
        }
        let shape = channels[0].shape
        return Tensor(shape: [channels.count, shape.z, shape.y, shape.x], scalars: channels.flatMap(\.voxels))
    }

    /// The case's binary label.
    public func label(_ files: CaseFiles) throws -> [UInt8] {
        let caseID = files.id.wireForm
        guard let sha256 = files.labelSHA256 else {
            throw RPCError(.failedPrecondition, "case \(caseID) has no label yet", details: ["case.id": caseID])
        }
        let url = try path(sha256, of: files, role: "label")
        do {
            return try ArtifactStore.withName("\(url.lastPathComponent).nii.gz", for: url) {
                try NIfTI.readLabels(at: $0, allowedValues: [0, 1], caseID: caseID).voxels
            }
        } catch {
            throw RPCError(
                .dataLoss, "the label of case \(caseID) does not read: \(error)",
                details: ["case.id": caseID, "artifact": sha256], cause: error)
        }
    }

    /// A labelled case for training or validation.
    public func trainingCase(_ caseID: String) async throws -> TrainingCase {
        let files = try await files(caseID)
        let image = try image(files)
        let label = try label(files)
        guard label.count * image.shape[0] == image.count else {
            throw RPCError(
                .dataLoss,
                "the label of case \(caseID) has \(label.count) voxels, its image \(image.count / image.shape[0])",
                details: ["case.id": caseID])
        }
        return TrainingCase(id: caseID, image: image, label: label)
    }

    private func path(_ sha256: String, of files: CaseFiles, role: String) throws -> URL {
        let caseID = files.id.wireForm
        guard let id = ArtifactID(sha256: sha256) else {
            throw RPCError(.dataLoss, "the \(role) of case \(caseID) names no artifact", details: ["case.id": caseID])
        }
        do {
            return try artifacts.path(for: id)
        } catch {
            throw RPCError(
                .dataLoss, "the \(role) of case \(caseID) is missing from the artifact store: \(error)",
                details: ["case.id": caseID, "artifact": sha256], cause: error)
        }
    }
}
