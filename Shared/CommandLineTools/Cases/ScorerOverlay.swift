import Artifacts
import Domain
import Foundation
import Proto
import ServiceRuntime

/// The paper's Fig. 3 picture of a stored, labelled case, drawn by the scorer (`DrawOverlay`): the
/// service that owns inference loads the case and the checkpoint from the artifact store, predicts,
/// and stores the PNG there; the caller reads it from the store. `case overlay` draws one; `report`
/// one for every case a strategy picked; the dashboard shows them beside the picks.
public struct ScorerOverlay: Sendable {
    public var caseID: CaseID
    /// The checkpoint to predict with, in the services' artifact store.
    public var checkpoint: ArtifactID
    /// The profile whose inference strategy predicts; nil for the one the checkpoint records.
    public var profile: ProfileName?
    /// Pixels per voxel edge.
    public var scale: Int

    public init(caseID: CaseID, checkpoint: ArtifactID, profile: ProfileName?, scale: Int) {
        self.caseID = caseID
        self.checkpoint = checkpoint
        self.profile = profile
        self.scale = scale
    }

    /// How long a picture may take: one inference pass over the whole case, which on the paper
    /// profile's grid takes minutes on a CPU.
    public static let timeout: Duration = .seconds(600)

    /// Has the scorer draw the picture; the PNG's bytes, read from the artifact store off the
    /// cooperative pool, and the axial slice drawn. The scorer's refusal is its `RPCError`; a
    /// picture the store cannot give back is a `CommandLineError`.
    public func picture(rpc: RPCClient, artifacts: ArtifactStore) async throws -> (png: Data, slice: Int) {
        let request = OverlayRequest.with {
            $0.caseID = caseID.wireForm
            $0.checkpoint = ArtifactRef.with { $0.sha256 = checkpoint.sha256 }
            if let profile { $0.profile = Profile(profile) }
            $0.scale = UInt32(scale)
        }
        let result = try await rpc.call(ScorerRPC.drawOverlay, request, timeout: Self.timeout)
        guard let png = ArtifactID(sha256: result.png.sha256) else {
            throw CommandLineError(
                .failed, subject: "scorer", detail: "answered with a picture that names no artifact")
        }
        let data = try await blockingWork {
            do {
                return try artifacts.get(png)
            } catch {
                throw CommandLineError(
                    .dataError, subject: "artifact store", detail: "the scorer's picture cannot be read: \(error)",
                    hint: "check that ACTIVESEG_ARTIFACT_ROOT is the folder the scorer writes to")
            }
        }
        return (data, Int(result.slice))
    }

    /// Has the scorer draw the picture and writes the PNG to `file`; the axial slice drawn.
    func write(to file: URL, client: ServiceClient, artifacts: ArtifactStore) async throws -> Int {
        let picture: (png: Data, slice: Int)
        do {
            picture = try await self.picture(rpc: client.rpc, artifacts: artifacts)
        } catch let error as RPCError {
            throw words(for: error)
        }
        try await blockingWork {
            do {
                try picture.png.write(to: file)
            } catch {
                throw CommandLineError(
                    .failed, subject: file.path, detail: "cannot be written: \(error.localizedDescription)",
                    hint: "check that the folder exists and is writable")
            }
        }
        return picture.slice
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
