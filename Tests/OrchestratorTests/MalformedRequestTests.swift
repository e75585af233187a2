import Artifacts
import Bus
import Domain
import Foundation
import Proto
import ServiceRuntime
import SwiftProtobuf
import TestSupport
import Testing

/// Every request/reply subject of every service answers bytes that are no protobuf with an
/// `ErrorReply` and then serves a valid request on the same subject: a bad message costs its sender
/// one reply, never the service. The subjects come from the generated method tables, so a method
/// added to a `.proto` file fails this test until it has a valid request here.
@Suite(.serialized, .tags(.stack), .needsLocalStack)
struct MalformedRequestTests {
    /// Field number 0 is invalid in every message, so these bytes decode as no request type.
    static let notProtobuf = Data([0x00, 0xff, 0xff, 0xff])

    /// Train and score jobs travel through the JetStream work queue, not request/reply (their
    /// undecodable jobs are the worker tests' concern).
    static let jobMethods: Set<AnyRPCMethod> = [AnyRPCMethod(TrainerRPC.train), AnyRPCMethod(ScorerRPC.score)]

    @Test func everyRequestSubjectAnswersAMalformedMessageAndServesOn() async throws {
        try await Deployment.with { deployment in
            let root = FileManager.default.temporaryDirectory.appendingPathComponent(
                "activeseg-malformed-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: root) }
            let emptySource = root.appendingPathComponent("brats", isDirectory: true)
            try FileManager.default.createDirectory(at: emptySource, withIntermediateDirectories: true)
            let artifacts = try ArtifactStore(root: root.appendingPathComponent("artifacts"))
            let cohort = try await CohortFixture.store(train: 8, test: 3, on: deployment.database.client)

            var groups = try await deployment.selectorAndStats()
            groups.append(try await deployment.ingest(artifacts: artifacts))
            groups.append(try await deployment.workerHealth("trainer", ping: TrainerRPC.ping))
            // The dashboard's only rpc is its Ping, served as its executable serves it.
            groups.append(try await deployment.workerHealth("dashboard", ping: DashboardRPC.ping))
            groups.append(
                try await deployment.workerHealth(
                    "scorer", ping: ScorerRPC.ping, responders: deployment.scorerResponders(artifacts: artifacts)))
            groups.append(try await deployment.orchestrator("orch-a"))
            let client = try await deployment.client()
            // The orchestrator serves once it leads; the others start serving meanwhile.
            for ping in [
                OrchestratorRPC.ping, IngestRPC.ping, TrainerRPC.ping, ScorerRPC.ping, SelectorRPC.ping, StatsRPC.ping,
                DashboardRPC.ping,
            ] {
                try await deployment.waitUntilServing(client, ping)
            }

            let valid = Self.validRequests(
                experimentID: ExperimentID.random().wireForm, datasetID: cohort.dataset.id,
                emptySource: emptySource.path)
            let served = ProtoContracts.methods.filter { !Self.jobMethods.contains($0) }
            #expect(Set(valid.keys) == Set(served))
            for method in served {
                let reply = try await client.connection.request(
                    Self.notProtobuf, to: "\(deployment.prefix).\(method.subject)",
                    timeout: .seconds(30))
                #expect(
                    reply.headers["Nats-Service-Error-Code"] == String(ErrorCode.invalidArgument.rawValue),
                    "\(method.subject)")
                let error = try ErrorReply(serializedBytes: reply.payload)
                #expect(
                    error.code == .invalidArgument && error.message.contains(method.requestMessageName),
                    "\(method.subject): \(error.message)")
                let request = try #require(valid[method], "no valid request for \(method.subject)")
                try await request.send(client)
            }

            await client.connection.close()
            for group in groups.reversed() { try await group.stop() }
        }
    }

    /// A valid request for each served method. Sent in the order of the method tables, each finds
    /// the state it needs: the experiment is created, then started, then cancelled.
    static func validRequests(
        experimentID: String, datasetID: DatasetID, emptySource: String
    ) -> [AnyRPCMethod: ValidRequest] {
        let ingestedDataset = DatasetID.random().wireForm
        let requests: [ValidRequest] =
            [
                .answered(
                    IngestRPC.ingest,
                    .with {
                        $0.requestID = UUID().uuidString
                        $0.datasetID = ingestedDataset
                        $0.brats = BratsFolder.with { $0.path = emptySource }
                        $0.preprocessing = PreprocessingConfig.with { $0.normalize = true }
                    }
                ) { $0.datasetID == ingestedDataset && $0.outcomes.isEmpty },
                .answered(
                    OrchestratorRPC.create,
                    .with {
                        $0.experimentID = experimentID
                        $0.spec = OrchestratorServiceTests.spec(datasetID: datasetID)
                    }
                ) { $0.state == .created },
                .answered(OrchestratorRPC.start, .with { $0.experimentID = experimentID }) { $0.state == .running },
                .answered(OrchestratorRPC.status, .with { $0.experimentID = experimentID }) {
                    $0.experimentID == experimentID
                },
                .answered(OrchestratorRPC.advance, .with { $0.experimentID = experimentID }) {
                    $0.experimentID == experimentID && $0.state == .running
                },
                .answered(OrchestratorRPC.cancel, .with { $0.experimentID = experimentID }) { $0.state == .cancelled },
                .answered(OrchestratorRPC.list, ListExperimentsRequest()) {
                    $0.experiments.map(\.experimentID) == [experimentID]
                },
                .answered(OrchestratorRPC.compare, .with { $0.baselineExperimentID = experimentID }) {
                    $0.outcomes.map(\.experimentID) == [experimentID]
                },
                .answered(OrchestratorRPC.evaluations, .with { $0.experimentIds = [experimentID] }) {
                    $0.experiments.map(\.experimentID) == [experimentID]
                },
                .answered(OrchestratorRPC.listModels, .with { $0.experimentID = experimentID }) { $0.models.isEmpty },
                .answered(OrchestratorRPC.caseHistory, .with { $0.caseID = CaseID.random().wireForm }) {
                    $0.picks.isEmpty
                },
                .answered(OrchestratorRPC.listPicks, .with { $0.experimentID = experimentID }) {
                    $0.picks.allSatisfy { $0.experimentID == experimentID && !$0.caseName.isEmpty }
                },
                .answered(IngestRPC.listCases, .with { $0.datasetID = ingestedDataset }) { $0.cases.isEmpty },
                // A case nobody stored: the scorer judged the request before it loaded anything.
                .refused(
                    ScorerRPC.drawOverlay,
                    .with {
                        $0.caseID = CaseID.random().wireForm
                        $0.checkpoint = ArtifactRef.with { $0.sha256 = String(repeating: "ab", count: 32) }
                    },
                    code: .notFound),
                // Labels are imported only into an experiment on record whose human-mode round waits
                // for them: ingest's methods come before the orchestrator's, which create the
                // experiment, so this import is refused as naming none, not as undecodable.
                .refused(
                    IngestRPC.importLabels,
                    .with {
                        $0.experimentID = experimentID
                        $0.round = 0
                    },
                    code: .notFound),
                .answered(
                    SelectorRPC.select,
                    .with {
                        $0.requestID = UUID().uuidString
                        $0.candidates = (0..<5).map { index in
                            Candidate.with {
                                $0.caseID = "case-\(index)"
                                $0.sourceName = "Case_\(index)"
                                $0.score = 0.1 * Double(index + 1)
                                $0.features = [Float(index), 1]
                            }
                        }
                        $0.topK = 3
                        $0.pick = 2
                        $0.method = .margins
                        $0.restriction = .none
                    }
                ) { Set($0.pickedCaseIds) == ["case-3", "case-4"] },
                .answered(
                    StatsRPC.analyze,
                    .with {
                        $0.requestID = UUID().uuidString
                        let cases = (0..<6).map { "case-\($0)" }
                        $0.fullData = cases.enumerated().map { index, id in
                            CaseDice.with {
                                $0.caseID = id
                                $0.dice = 0.8 + 0.02 * Double(index)
                            }
                        }
                        $0.rounds = [
                            RoundDice.with {
                                $0.round = 0
                                $0.annotatedCases = 4
                                $0.dice = cases.enumerated().map { index, id in
                                    CaseDice.with {
                                        $0.caseID = id
                                        $0.dice = 0.5 + 0.03 * Double(index % 3)
                                    }
                                }
                            }
                        ]
                        $0.fullDataCases = 8
                        $0.test = .paired
                        $0.alpha = 0.05
                    }
                ) { $0.rounds.map(\.round) == [0] },
            ]
            + [
                IngestRPC.ping, OrchestratorRPC.ping, ScorerRPC.ping, SelectorRPC.ping, StatsRPC.ping, TrainerRPC.ping,
                DashboardRPC.ping,
            ]
            .map {
                ping -> ValidRequest in .answered(ping, HealthPing()) { $0.service == ping.service }
            }
        return Dictionary(uniqueKeysWithValues: requests.map { ($0.method, $0) })
    }
}

/// A well-formed request for one rpc method, and what its answer must show.
struct ValidRequest: Sendable {
    let method: AnyRPCMethod
    let send: @Sendable (RPCClient) async throws -> Void

    /// A request the method must answer with a response that satisfies `check`.
    static func answered<Request, Response>(
        _ method: RPCMethod<Request, Response>, _ request: Request, check: @escaping @Sendable (Response) -> Bool
    ) -> ValidRequest {
        ValidRequest(method: AnyRPCMethod(method)) { client in
            let response = try await client.call(method, request, timeout: .seconds(30))
            #expect(check(response), "\(method.subject): \(response)")
        }
    }

    /// A request the method's handler must refuse with `code`: the refusal shows that the subject
    /// decoded the request and judged it.
    static func refused<Request, Response>(
        _ method: RPCMethod<Request, Response>, _ request: Request,
        code: ErrorCode
    ) -> ValidRequest {
        ValidRequest(method: AnyRPCMethod(method)) { client in
            do throws(RPCError) {
                let response = try await client.call(method, request, timeout: .seconds(30))
                Issue.record("\(method.subject) answered \(response) where it must refuse with \(code)")
            } catch {
                #expect(error.code == code, "\(method.subject): \(error)")
            }
        }
    }
}
