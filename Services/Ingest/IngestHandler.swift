import Artifacts
import Domain
import Foundation
import Logging
import Proto
import ServiceRuntime
import Store
import SwiftProtobuf
import Volume

/// Answers `Ingest.Ingest`: lists the source's cases, preprocesses them a few at a time, stores
/// each case's NIfTI files as artifacts, records every case as ingested (with its test-split side)
/// or failed (with the reason naming the case and file), publishes a `case.ingested` or
/// `case.failed` event per case, and replies with every case's outcome in the source's order.
///
/// One bad case never stops the cohort. Repeating an import changes nothing: artifacts are
/// content-addressed, rows are written idempotently, the split is a function of the dataset's
/// seed and patients, and events carry ids derived from what they report, so the stream stores a
/// repeat once.
struct IngestHandler: Sendable {
    let database: PostgresClient
    let artifacts: ArtifactStore
    let events: EventStream
    /// Cases of one import preprocessed at once.
    let concurrency: Int

    /// The `ce-source` of every event this service publishes.
    static let eventSource = "/activeseg/ingest"

    func ingest(_ request: IngestRequest, logger: Logger) async throws -> IngestResult {
        let plan = try IngestPlan(request)
        let dataset = try await ensure(plan.dataset, requestID: request.requestID)
        let scope = dataset.id.wireForm
        let discoveries = try await discover(plan, requestID: request.requestID)
        logger.info("import started", metadata: ["dataset": "\(scope)", "cases": "\(discoveries.count)"])

        let importer = CaseImporter(
            preprocessor: Preprocessor(plan.preprocessing), concurrency: concurrency,
            logger: logger)
        var prepared: [String: CaseArtifacts] = [:]
        var outcomes: [String: CaseOutcome] = [:]
        for await result in importer.results(for: discoveries) {
            switch result.outcome {
            case .success(let preprocessed):
                let artifacts = self.artifacts
                do {
                    prepared[result.caseID] = try await BlockingWork.run {
                        try CaseArtifacts.store(preprocessed, in: artifacts)
                    }
                } catch {
                    outcomes[result.caseID] = try await recordFailure(
                        name: result.caseID, reason: "case \(result.caseID): \(error)", file: nil, dataset: dataset,
                        logger: logger)
                }
            case .failure(let error):
                outcomes[result.caseID] = try await recordFailure(
                    name: result.caseID, reason: error.inCase(result.caseID).description, file: error.file,
                    dataset: dataset, logger: logger)
            }
        }
        try Task.checkCancellation()
        let steps = plan.preprocessing.steps.map(\.rawValue)
        for (name, outcome) in try await recordIngested(prepared, steps: steps, dataset: dataset, logger: logger) {
            outcomes[name] = outcome
        }
        logger.info(
            "import finished",
            metadata: [
                "dataset": "\(scope)", "ingested": "\(prepared.count)", "failed": "\(outcomes.count - prepared.count)",
            ])
        return IngestResult.with {
            $0.requestID = request.requestID
            $0.datasetID = scope
            $0.outcomes = Self.sourceOrder(discoveries).compactMap { outcomes[$0] }
        }
    }

    /// The dataset row, created on the first import; a later import must name the same source.
    private func ensure(_ dataset: DatasetRecord, requestID: String) async throws -> DatasetRecord {
        let stored: DatasetRecord
        do {
            stored = try await DatasetRepository.ensure(dataset, on: database)
        } catch let error as StoreError where error.code == .uniqueViolation {
            throw RPCError(.alreadyExists, error.message, details: ["field": "source", "request.id": requestID])
        }
        guard stored.sourceKind == dataset.sourceKind, stored.sourceURI == dataset.sourceURI else {
            throw RPCError(
                .failedPrecondition,
                "dataset \(stored.id.wireForm) was imported from \(stored.sourceKind.rawValue) "
                    + "'\(stored.sourceURI)', not \(dataset.sourceKind.rawValue) '\(dataset.sourceURI)'",
                details: ["field": "dataset_id", "request.id": requestID])
        }
        return stored
    }

    /// The source's cases; a source that cannot be listed at all fails the request.
    private func discover(_ plan: IngestPlan, requestID: String) async throws -> [CaseDiscovery] {
        do throws(VolumeError) {
            return try await BlockingWork.run(plan.discover)
        } catch {
            throw RPCError(
                error.code == .missingFile ? .notFound : .invalidArgument, error.description,
                details: ["file": error.file ?? "", "request.id": requestID])
        }
    }

    /// A case's name as the importer reports it, in the order the source lists the cases.
    private static func sourceOrder(_ discoveries: [CaseDiscovery]) -> [String] {
        var seen = Set<String>()
        return discoveries.map { discovery in
            switch discovery {
            case .success(let source): source.id
            case .failure(let error): error.caseID ?? error.file ?? "unknown"
            }
        }.filter { seen.insert($0).inserted }
    }

    /// Records one failed case (its own transaction) and publishes its event.
    private func recordFailure(
        name: String, reason: String, file: String?, dataset: DatasetRecord, logger: Logger
    ) async throws -> CaseOutcome {
        let scope = dataset.id.wireForm
        _ = try await CaseRepository.record(
            [
                CaseRecord(
                    id: .random(), datasetID: dataset.id, sourceName: name, patientID: name,
                    state: .failed(reason: reason))
            ], on: database)
        let event = CaseFailed.with {
            $0.datasetID = scope
            $0.sourceName = name
            $0.reason = reason
            $0.file = file ?? ""
            $0.failedAt = Google_Protobuf_Timestamp(date: Date())
        }
        try await events.publish(
            event, scope: scope, id: Self.eventID("case.failed", scope, name, reason),
            source: Self.eventSource)
        logger.with(caseID: name).warning("case failed", metadata: ["reason": "\(reason)"])
        return CaseOutcome.with { $0.failed = event }
    }

    /// Draws the split over this import's cases, records them in one transaction, and publishes an
    /// event per case. A case already stored keeps its row (id, split, artifacts) as it is.
    private func recordIngested(
        _ prepared: [String: CaseArtifacts], steps: [String], dataset: DatasetRecord, logger: Logger
    ) async throws -> [(String, CaseOutcome)] {
        guard !prepared.isEmpty else { return [] }
        let scope = dataset.id.wireForm
        let testPatients = try TestSplit.testPatients(
            prepared.filter { $0.value.label != nil }.map(\.key),
            share: dataset.testFraction,
            seed: UInt64(bitPattern: dataset.splitSeed))
        let names = prepared.keys.sorted()
        let stored = try await CaseRepository.record(
            names.map { name in
                let files = prepared[name]!
                return CaseRecord(
                    id: .random(), datasetID: dataset.id, sourceName: name, patientID: name,
                    state: .ingested(
                        split: testPatients.contains(name) ? .test : .train,
                        imageSHA256: files.image.sha256, labelSHA256: files.label?.sha256),
                    labelVoxels: files.labelVoxels, preprocessingSteps: steps)
            }, on: database)
        var outcomes: [(String, CaseOutcome)] = []
        for (name, record) in zip(names, stored) {
            guard case .ingested(_, let image, let label) = record.state else { continue }
            let files = prepared[name]!
            let caseID = record.id.wireForm
            let event = try CaseIngested.with {
                $0.datasetID = scope
                $0.caseRef = try CaseRef.with {
                    $0.caseID = caseID
                    $0.image = try artifactRef(image)
                    if let label { $0.label = try artifactRef(label) }
                }
                $0.sourceName = name
                $0.shape = [files.shape.x, files.shape.y, files.shape.z].map(UInt32.init)
                $0.labelVoxels = UInt64(files.labelVoxels ?? 0)
                $0.ingestedAt = Google_Protobuf_Timestamp(date: Date())
                $0.preprocessingSteps = record.preprocessingSteps
                $0.stepSeconds = Dictionary(uniqueKeysWithValues: files.stepSeconds.map { ($0.key.rawValue, $0.value) })
            }
            try await events.publish(
                event, scope: scope, id: Self.eventID("case.ingested", caseID, image, label ?? ""),
                source: Self.eventSource)
            logger.with(caseID: caseID).debug("case ingested", metadata: ["source_name": "\(name)"])
            outcomes.append((name, CaseOutcome.with { $0.ingested = event }))
        }
        return outcomes
    }

    /// A stored artifact as the contracts refer to it.
    private func artifactRef(_ sha256: String) throws -> ArtifactRef {
        guard let id = ArtifactID(sha256: sha256) else {
            throw RPCError(.internal, "the database holds an invalid artifact id '\(sha256)'")
        }
        let path = try artifacts.path(for: id, verify: false)
        let size = try FileManager.default.attributesOfItem(atPath: path.path)[.size] as? NSNumber
        return ArtifactRef.with {
            $0.sha256 = sha256
            $0.sizeBytes = size?.uint64Value ?? 0
        }
    }

    /// An event id that is the same whenever the same fact is reported again (SHA-256 of its parts).
    private static func eventID(_ parts: String...) -> String {
        SHA256Hasher.hex(of: Data(parts.joined(separator: "\u{0}").utf8))
    }
}
