import Artifacts
import CommandLineTools
import Foundation
import Proto
import ServiceRuntime

/// The overlay pictures of the experiments' picks (the paper's Fig. 3) that the experiment page
/// shows: drawn by the scorer the first time a browser asks for one, then kept, because a pick's
/// case and the model that picked it never change.
///
/// At most one picture is being drawn at any time, so a page full of picks takes at most one
/// scorer away from the experiments running (each picture is an inference pass over a whole case:
/// minutes on a CPU with the paper's profile). At most `capacity` pictures are kept, the one viewed
/// longest ago going first.
actor PickPictures {
    /// Names a pick: its experiment, round and rank.
    struct Key: Hashable, Sendable {
        var experiment: String
        var round: Int
        var rank: Int

        /// Where the dashboard serves the picture (`DashboardRoutes`).
        var path: String { "/experiments/\(experiment)/picks/\(round)/\(rank)/overlay.png" }
    }

    /// Why a pick has no picture to give.
    enum Failure: Error, Sendable {
        /// The experiment has no such pick, or the pick has no picture (``PickedCase``).
        case noPicture
        /// The orchestrator or the scorer did not answer, or the store could not give the picture back.
        case unavailable(String)
    }

    private let client: RPCClient
    private let artifacts: ArtifactStore
    private let capacity: Int
    private var kept: [Key: (png: Data, viewed: UInt64)] = [:]
    private var views: UInt64 = 0
    private var drawing: [Key: Task<Data, any Error>] = [:]
    private var drawerBusy = false
    private var waitingDrawers: [CheckedContinuation<Void, Never>] = []

    /// The default `capacity`: a few megabytes of pictures at the `tiny` profile's size, tens at
    /// the paper's.
    static let defaultCapacity = 256

    init(client: RPCClient, artifacts: ArtifactStore, capacity: Int = PickPictures.defaultCapacity) {
        self.client = client
        self.artifacts = artifacts
        self.capacity = max(capacity, 1)
    }

    /// The PNG of the pick `key`, drawn now if it is not kept yet; a second request for a picture
    /// being drawn waits for that drawing.
    func png(_ key: Key) async throws(Failure) -> Data {
        views += 1
        if let picture = kept[key] {
            kept[key] = (picture.png, views)
            return picture.png
        }
        let task =
            drawing[key]
            ?? Task {
                defer { drawing[key] = nil }
                let png = try await draw(key)
                keep(png, as: key)
                return png
            }
        drawing[key] = task
        do {
            return try await task.value
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .unavailable(String(describing: error))
        }
    }

    /// Every pick of `experiment`, and those that have a picture, from the orchestrator's picks and
    /// models.
    static func picks(
        of experiment: String, client: RPCClient, timeout: Duration
    ) async throws -> (
        all: [CasePick], pictured: [PickedCase]
    ) {
        let picks = try await client.call(
            OrchestratorRPC.listPicks, .with { $0.experimentID = experiment }, timeout: timeout)
        let models = try await client.call(
            OrchestratorRPC.listModels, .with { $0.experimentID = experiment }, timeout: timeout)
        return (picks.picks, try PickedCase.pairing(picks.picks, with: models.models))
    }

    private func draw(_ key: Key) async throws -> Data {
        let picks: [PickedCase]
        do {
            picks = try await Self.picks(of: key.experiment, client: client, timeout: DashboardQueries.timeout).pictured
        } catch let error as RPCError where error.code == .notFound || error.code == .invalidArgument {
            throw Failure.noPicture
        }
        guard let pick = picks.first(where: { $0.round == key.round && $0.rank == key.rank }) else {
            throw Failure.noPicture
        }
        await takeDrawerTurn()
        defer { passDrawerTurn() }
        return try await ScorerOverlay(caseID: pick.caseID, checkpoint: pick.checkpoint, profile: nil, scale: 4)
            .picture(rpc: client, artifacts: artifacts).png
    }

    private func keep(_ png: Data, as key: Key) {
        kept[key] = (png, views)
        if kept.count > capacity, let oldest = kept.min(by: { $0.value.viewed < $1.value.viewed })?.key {
            kept[oldest] = nil
        }
    }

    private func takeDrawerTurn() async {
        guard drawerBusy else {
            drawerBusy = true
            return
        }
        await withCheckedContinuation { waitingDrawers.append($0) }
    }

    private func passDrawerTurn() {
        if waitingDrawers.isEmpty {
            drawerBusy = false
        } else {
            waitingDrawers.removeFirst().resume()
        }
    }
}
