import Artifacts
import Domain
import Foundation
import Proto
import ServiceRuntime

/// The paper's Fig. 3 picture of a stored, labelled case, drawn by the scorer (`DrawOverlay`): the
/// service that owns inference loads the case and the checkpoint from the artifact store, predicts,
/// and stores the PNG there; the command copies it out to its file. `case overlay` draws one;
/// `report` one for every case a strategy picked.
struct ScorerOverlay: Sendable {
    var caseID: CaseID
    /// The checkpoint to predict with, in the services' artifact store.
    var checkpoint: ArtifactID
    /// The profile whose inference strategy predicts; nil for the one the checkpoint records.
    var profile: ProfileName?
    /// Pixels per voxel edge.
    var scale: Int

    /// How long a picture may take: one inference pass over the whole case, which on the paper
    /// profile's grid takes minutes on a CPU.
    static let timeout: Duration = .seconds(600)

    /// Has the scorer draw the picture and writes the PNG to `file`; the axial slice drawn.
    func write(to file: URL, client: ServiceClient, artifacts: ArtifactStore) async throws -> Int {
        let request = OverlayRequest.with {
            $0.caseID = caseID.wireForm
            $0.checkpoint = ArtifactRef.with { $0.sha256 = checkpoint.sha256 }
            if let profile { $0.profile = Profile(profile) }
            $0.scale = UInt32(scale)
        }
        let result: OverlayResult
        do {
            result = try await client.rpc.call(ScorerRPC.drawOverlay, request, timeout: Self.timeout)
        } catch {
            throw words(for: error)
        }
        guard let png = ArtifactID(sha256: result.png.sha256) else {
            throw CommandLineError(
                .failed, subject: "scorer", detail: "answered with a picture that names no artifact")
        }
        try await blockingWork {
            let data: Data
            do {
                data = try artifacts.get(png)
            } catch {
                throw CommandLineError(
                    .dataError, subject: "artifact store", detail: "the scorer's picture cannot be read: \(error)",
                    hint: "check that ACTIVESEG_ARTIFACT_ROOT is the folder the scorer writes to")
            }
            do {
                try data.write(to: file)
            } catch {
                throw CommandLineError(
                    .failed, subject: file.path, detail: "cannot be written: \(error.localizedDescription)",
                    hint: "check that the folder exists and is writable")
            }
        }
        return Int(result.slice)
    }

    private func words(for error: RPCError) -> CommandLineError {
        let id = caseID.wireForm
        switch error.code {
        case .unavailable, .deadlineExceeded:
            return CommandLineError(
                .unavailable, subject: "the scorer service", detail: error.message, hint: ServiceClient.startHint)
        case .notFound, .failedPrecondition, .dataLoss, .invalidArgument:
            return CommandLineError(
                .dataError, subject: "case \(id)", detail: error.message,
                hint: "`activeseg case show \(id)` says what the case has")
        default:
            return CommandLineError(.failed, subject: "case \(id)", detail: error.message)
        }
    }
}
