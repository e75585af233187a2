import Artifacts
import Domain
import Foundation
import Logging
import Proto
import ServiceRuntime
import Store

/// Ingest's `ImportLabels` rpc: a person's labels for the cases a `human`-mode round picked. Each
/// label is checked against the round's picks, preprocessed as ingest preprocessed its case
/// (``LabelPreparation``), and stored together with the case's annotation in one transaction;
/// then the orchestrator is asked to advance the experiment, so the round trains as soon as every
/// pick has its label.
///
/// A label the request cannot use is refused in the answer, with a reason naming the case, and
/// the others still count, so a person fixes only the refused files. Importing a label again
/// changes nothing; another label for a case that has one is refused, because the round may
/// already be training on the first.
struct LabelImports: Sendable {
    let database: PostgresClient
    let artifacts: ArtifactStore
    /// Asks the orchestrator to advance an experiment whose labels came in.
    let orchestrator: RPCClient
    /// How long the answer waits for the orchestrator's advance, a few steps that each take
    /// milliseconds unless its selector or stats calls hold it up; past it, the orchestrator's
    /// periodic pass advances the experiment.
    static let advanceTimeout: Duration = .seconds(10)

    func importLabels(_ request: LabelImportRequest, logger: Logger) async throws -> LabelImportResult {
        let (experiment, round) = try await waitingExperiment(request)
        let logger = logger.with(experiment: request.experimentID, round: round)
        guard let dataset = try await DatasetRepository.dataset(experiment.datasetID, on: database) else {
            throw RPCError(
                .internal, "the dataset of experiment \(request.experimentID) is missing",
                details: ["experiment": request.experimentID])
        }
        let cases = Dictionary(
            uniqueKeysWithValues: try await CaseRepository.cases(in: experiment.datasetID, on: database).map {
                ($0.id, $0)
            })
        let casesByName = Dictionary(
            cases.values.map { ($0.sourceName, $0.id) }, uniquingKeysWith: { first, _ in first })
        let selections = try await ExperimentCaseRepository.selections(of: experiment.id, on: database)
        let preparation = LabelPreparation(artifacts: artifacts, logger: logger)

        var answer = LabelImportResult()
        answer.round = UInt32(round)
        func accept(_ caseID: CaseID) {
            answer.acceptedCaseIds.append(caseID.wireForm)
            answer.acceptedCaseNames.append(cases[caseID]?.sourceName ?? caseID.wireForm)
        }
        func refuse(_ refusal: LabelRefusal, caseID: String) {
            answer.rejected.append(
                LabelRejection.with {
                    $0.caseID = caseID
                    $0.caseName = refusal.caseName
                    $0.reason = refusal.description
                })
        }
        var delivered: [CaseID: LabelPreparation.PreparedLabel] = [:]
        for label in request.labels {
            let target = Self.target(of: label, cases: cases, casesByName: casesByName)
            do throws(LabelRefusal) {
                guard let caseID = target.id, let record = cases[caseID] else {
                    throw LabelRefusal(.unknownCase, caseName: target.name, detail: Self.unknown(label))
                }
                guard let selection = selections.first(where: { $0.caseID == caseID }), selection.selectedRound == round
                else {
                    throw LabelRefusal(
                        .notPicked, caseName: target.name,
                        detail: "round \(round) of experiment \(request.experimentID) did not pick it")
                }
                guard delivered[caseID] == nil else {
                    throw LabelRefusal(
                        .conflictingLabel, caseName: target.name, detail: "the import delivers two labels for it")
                }
                let prepared = try await preparation.prepare(URL(fileURLWithPath: label.path), for: record, in: dataset)
                if selection.annotatedRound != nil {
                    try Self.requireSame(prepared.artifact, as: record, caseName: target.name)
                    accept(caseID)
                } else {
                    delivered[caseID] = prepared
                }
            } catch {
                logger.warning(
                    "label refused",
                    metadata: [
                        "case.id": "\(target.wireForm)", "case.name": "\(target.name)", "code": "\(error.code)",
                        "reason": "\(error)",
                    ])
                refuse(error, caseID: target.wireForm)
            }
        }

        let annotated = try await annotate(delivered, round: round, of: experiment)
        delivered.keys.filter { annotated.contains($0) }.sorted { $0.wireForm < $1.wireForm }.forEach(accept)
        for (caseID, prepared) in delivered where !annotated.contains(caseID) {
            // Annotated meanwhile by a concurrent import: the same label is no change, another is refused.
            let stored = try await CaseRepository.files(of: caseID, on: database)?.labelSHA256
            if stored == prepared.artifact.sha256 {
                accept(caseID)
            } else {
                refuse(
                    LabelRefusal(
                        .conflictingLabel, caseName: cases[caseID]?.sourceName ?? "\(caseID)",
                        detail: "it was annotated with another label meanwhile"),
                    caseID: caseID.wireForm)
            }
        }
        // Advanced first, so the answer also lists a case round 0's cold start added for these labels.
        if !annotated.isEmpty { await advance(experiment.id, logger: logger) }
        let missing = try await ExperimentCaseRepository.selections(of: experiment.id, on: database)
            .filter { $0.selectedRound == round && $0.annotatedRound == nil }.map(\.caseID)
        answer.missingCaseIds = missing.map(\.wireForm)
        answer.missingCaseNames = missing.map { cases[$0]?.sourceName ?? $0.wireForm }
        logger.info(
            "labels imported",
            metadata: [
                "accepted": "\(answer.acceptedCaseIds.count)",
                "refused": "\(answer.rejected.count)",
                "missing": "\(answer.missingCaseIds.count)",
            ])
        return answer
    }

    /// The case a label names, by id or by its name in the dataset: the id when it is one of the
    /// dataset's cases, the name a refusal gives it (the case's own where known, else what the label
    /// said), and the id text the answer reports it under.
    private static func target(
        of label: ImportedLabel, cases: [CaseID: CaseRecord], casesByName: [String: CaseID]
    ) -> (id: CaseID?, name: String, wireForm: String) {
        switch label.target {
        case .caseID(let text):
            let id = CaseID(wireForm: text).flatMap { cases[$0] == nil ? nil : $0 }
            return (id, id.flatMap { cases[$0]?.sourceName } ?? text, text)
        case .caseName(let name):
            let id = casesByName[name]
            return (id, name, id?.wireForm ?? "")
        case nil:
            return (nil, "unnamed", "")
        }
    }

    /// Why a label that names no case of the dataset is refused.
    private static func unknown(_ label: ImportedLabel) -> String {
        switch label.target {
        case .caseID(let text): "no case of the experiment's dataset has the id \(text)"
        case .caseName(let name): "no case of the experiment's dataset is named \(name)"
        case nil: "the label names no case (set case_id or case_name)"
        }
    }

    /// The experiment the request names, when it is a running human-mode experiment that has the
    /// round, and the round: the request's, or the one annotating now; otherwise the error that
    /// says which of these fails.
    private func waitingExperiment(_ request: LabelImportRequest) async throws -> (ExperimentRecord, round: Int) {
        let text = request.experimentID
        let id = try ExperimentID(wireForm: text, field: "experiment_id")
        guard let experiment = try await ExperimentRepository.experiment(id, on: database) else {
            throw RPCError(.notFound, "no experiment \(text)", details: ["experiment": text])
        }
        guard experiment.annotationMode == .human else {
            throw RPCError(
                .failedPrecondition,
                "experiment \(text) reveals its labels (oracle annotation), so it takes no imported labels",
                details: ["experiment": text])
        }
        guard experiment.status == .running else {
            throw RPCError(
                .failedPrecondition, "experiment \(text) is \(experiment.status.rawValue), not waiting for labels",
                details: ["experiment": text])
        }
        let rounds = try await RoundRepository.rounds(of: id, on: database)
        let round: Int
        if request.hasRound {
            guard rounds.contains(where: { $0.index == Int(request.round) }) else {
                throw RPCError(
                    .notFound, "experiment \(text) has no round \(request.round)",
                    details: ["experiment": text, "field": "round"])
            }
            round = Int(request.round)
        } else {
            guard let waiting = rounds.last(where: { $0.phase == .annotating }) else {
                throw RPCError(
                    .failedPrecondition,
                    "no round of experiment \(text) is waiting for labels (none is annotating); name the round",
                    details: ["experiment": text, "field": "round"])
            }
            round = waiting.index
        }
        guard !request.labels.isEmpty else {
            throw RPCError(.invalidArgument, "the request delivers no labels", details: ["field": "labels"])
        }
        return (experiment, round)
    }

    /// Stores the labels and the annotations in one transaction; the cases that changed.
    private func annotate(
        _ labels: [CaseID: LabelPreparation.PreparedLabel], round: Int, of experiment: ExperimentRecord
    )
        async throws -> Set<CaseID>
    {
        guard !labels.isEmpty else { return [] }
        let changed: Set<CaseID>? = try await database.withTransaction { transaction in
            guard try await ExperimentRepository.lockedExperiment(experiment.id, in: transaction)?.status == .running
            else { return nil }
            var changed = Set<CaseID>()
            for (caseID, label) in labels {
                if try await ExperimentCaseRepository.annotate(
                    caseID, label: label.artifact.sha256,
                    labelVoxels: label.foregroundVoxels, round: round,
                    of: experiment.id, on: transaction)
                {
                    changed.insert(caseID)
                }
            }
            return changed
        }
        guard let changed else {
            let id = experiment.id.wireForm
            throw RPCError(
                .failedPrecondition, "experiment \(id) stopped while its labels were prepared",
                details: ["experiment": id])
        }
        return changed
    }

    private static func requireSame(
        _ artifact: ArtifactID, as record: CaseRecord, caseName: String
    ) throws(LabelRefusal) {
        guard case .ingested(_, _, let label) = record.state, label == artifact.sha256 else {
            throw LabelRefusal(
                .conflictingLabel, caseName: caseName,
                detail: "it is annotated already with another label, which the experiment keeps")
        }
    }

    /// Asks the orchestrator to take the experiment on from its new labels, and waits for it, so
    /// the answer's missing cases include one that round 0's cold start added for them. The labels
    /// are stored either way: an orchestrator that does not answer in time (none leads, or it is
    /// busy) advances the experiment on its periodic pass.
    private func advance(_ experimentID: ExperimentID, logger: Logger) async {
        do {
            _ = try await orchestrator.call(
                OrchestratorRPC.advance, .with { $0.experimentID = experimentID.wireForm },
                timeout: Self.advanceTimeout)
        } catch {
            logger.warning(
                "the orchestrator did not advance the experiment; its periodic pass will",
                metadata: ["error": "\(error)"])
        }
    }
}
