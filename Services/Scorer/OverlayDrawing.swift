import Artifacts
import Foundation
import Logging
import Neural
import Profiles
import Proto
import Reporting
import ServiceRuntime
import WorkerSupport

/// The scorer's `DrawOverlay` rpc: the paper's Fig. 3 picture of one stored, labelled case — its
/// preprocessed T1c at the axial slice with the most tumor, the truth outlined in green, a
/// checkpoint's segmentation in red, both in yellow — stored as a PNG in the artifact store.
///
/// The scorer draws it because it owns inference: the case is loaded from its row and the artifact
/// store as a score job's is, and the prediction is one deterministic pass of the profile's
/// inference strategy segmented by the profile's rule, as evaluation segments a test case. The PNG
/// is content-addressed like every artifact, so the same request stores nothing new, and the caller
/// copies it out of the store; nothing is recorded in the database.
struct OverlayDrawing: Sendable {
    let loader: CaseLoader

    /// Pixels per voxel edge: a 128-voxel slice is at most 4096 pixels wide.
    static let scales = 1...32
    /// The scale of a request that leaves it at 0, big enough to see a tiny profile's 32³ case.
    static let defaultScale = 4

    /// The `DrawOverlay` method as the scorer serves it.
    var responder: RPCResponder {
        RPCResponder(ScorerRPC.drawOverlay) { request, logger in try await draw(request, logger: logger) }
    }

    /// Draws the picture and stores it; the refusals carry the contract's codes: a request out of
    /// range `invalidArgument`, a case or checkpoint the services do not hold `notFound`, a case
    /// without a label `failedPrecondition`, an artifact that does not read `dataLoss`.
    func draw(_ request: OverlayRequest, logger: Logger) async throws -> OverlayResult {
        let scale = request.scale == 0 ? Self.defaultScale : Int(request.scale)
        guard Self.scales.contains(scale) else {
            throw RPCError(
                .invalidArgument,
                "scale \(request.scale) is outside \(Self.scales.lowerBound)…\(Self.scales.upperBound)",
                details: ["field": "scale"])
        }
        let sha256 = request.checkpoint.sha256
        guard let checkpoint = ArtifactID(sha256: sha256) else {
            throw RPCError(
                .invalidArgument, "the checkpoint '\(sha256)' names no artifact (a SHA-256 in hex)",
                details: ["field": "checkpoint"])
        }
        let requested: ExperimentProfile? = try request.hasProfile ? Self.profile(request.profile) : nil
        let files = try await loader.files(request.caseID)
        let (loader, caseID) = (loader, request.caseID)
        // Reading, inference, encoding and the store's write all block: none on the cooperative pool.
        let drawn = try await ComputeThreads.offload {
            let image = try loader.image(files)
            let label = try loader.label(files)
            let loaded = try Self.checkpoint(checkpoint, in: loader.artifacts)
            let profile = try requested ?? Self.recordedProfile(of: loaded, checkpoint: sha256)
            loaded.network.precision = profile.precision
            let probabilities = profile.predictor.predict(loaded.network, image: image).probabilities.scalars
            let (z, y, x) = (image.shape[1], image.shape[2], image.shape[3])
            let overlay: SliceOverlay
            do {
                overlay = try SliceOverlay(
                    shape: (x, y, z), image: Array(image.scalars[0..<(x * y * z)]),
                    prediction: profile.segmentationRule.foreground(probabilities).map { $0 ? 1 : 0 },
                    truth: label, scale: scale)
            } catch {
                throw RPCError(
                    .dataLoss, "case \(caseID) cannot be drawn: \(error)", details: ["case.id": caseID], cause: error)
            }
            let encoded = overlay.image.encoded()
            do {
                return (slice: overlay.slice, png: try loader.artifacts.put(encoded), bytes: encoded.count)
            } catch {
                throw RPCError(
                    .internal, "the picture of case \(caseID) cannot be stored: \(error)",
                    details: ["case.id": caseID], cause: error)
            }
        }
        logger.info(
            "overlay drawn",
            metadata: [
                "case.id": "\(caseID)", "checkpoint": "\(sha256)", "slice": "\(drawn.slice)", "png": "\(drawn.png)",
            ])
        return OverlayResult.with {
            $0.png = ArtifactRef.with {
                $0.sha256 = drawn.png.sha256
                $0.sizeBytes = UInt64(drawn.bytes)
            }
            $0.slice = UInt32(drawn.slice)
        }
    }

    private static func profile(_ profile: Proto.Profile) throws -> ExperimentProfile {
        do {
            return try ExperimentProfile(profile)
        } catch {
            throw RPCError(.invalidArgument, "\(error)", details: ["field": "profile"])
        }
    }

    /// The checkpoint's network: `notFound` when the store does not hold it, `dataLoss` when it does
    /// not load.
    private static func checkpoint(_ id: ArtifactID, in artifacts: ArtifactStore) throws -> Checkpoint.Loaded {
        let data: Data
        do {
            data = try artifacts.get(id)
        } catch  where error.code == .notFound {
            throw RPCError(
                .notFound, "checkpoint \(id) is not in the artifact store", details: ["artifact": id.sha256],
                cause: error)
        } catch {
            throw RPCError(
                .dataLoss, "checkpoint \(id) cannot be read: \(error)", details: ["artifact": id.sha256], cause: error)
        }
        do {
            return try Checkpoint.decode(data, file: id.sha256)
        } catch {
            throw RPCError(
                .dataLoss, "checkpoint \(id) does not load: \(error)", details: ["artifact": id.sha256], cause: error)
        }
    }

    /// The profile `model init` and the trainer record in a checkpoint's metadata.
    private static func recordedProfile(of loaded: Checkpoint.Loaded, checkpoint: String) throws -> ExperimentProfile {
        guard let name = loaded.metadata["profile"] else {
            throw RPCError(
                .invalidArgument, "checkpoint \(checkpoint) records no profile; name one in the request",
                details: ["field": "profile", "artifact": checkpoint])
        }
        do {
            return try ExperimentProfile(named: name)
        } catch {
            throw RPCError(.invalidArgument, "checkpoint \(checkpoint): \(error)", details: ["artifact": checkpoint])
        }
    }
}
