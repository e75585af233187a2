import Domain
import Foundation
import Logging
import Store

/// A migrated schema of its own in the database of `ACTIVESEG_POSTGRES_DSN`, dropped when the
/// test ends, so tests running at once never see each other's rows.
struct TestDatabase {
    let configuration: PostgresConfiguration
    let client: PostgresClient

    static func with(_ body: (TestDatabase) async throws -> Void) async throws {
        let base = try PostgresConfiguration(
            environment: ProcessInfo.processInfo.environment,
            applicationName: "activeseg-orchestrator-tests")
        var configuration = base
        configuration.schema = "orch_" + UUID().uuidString.replacing("-", with: "").lowercased()
        let database = TestDatabase(
            configuration: configuration,
            client: PostgresClient(configuration: configuration, logger: silentLogger))
        var failure: (any Error)?
        do {
            try await database.client.migrate()
            try await body(database)
        } catch {
            failure = error
        }
        await database.client.shutdown()
        let admin = PostgresClient(configuration: base, logger: silentLogger)
        try await admin.query("DROP SCHEMA IF EXISTS \(identifier: configuration.schema!) CASCADE")
        await admin.shutdown()
        if let failure { throw failure }
    }
}

let silentLogger = Logger(label: "activeseg.orchestrator.tests") { _ in SwiftLogNoOpLogHandler() }

/// A stored dataset of `train` training and `test` test cases (labelled, with made-up artifact
/// hashes: nothing here reads the files), each label of `labelVoxels(index)` voxels (uncounted by
/// default).
struct CohortFixture {
    let dataset: DatasetRecord
    let trainingCases: [CaseID]
    let testCases: [CaseID]

    static func store(
        train: Int, test: Int, labelVoxels: (Int) -> Int? = { _ in nil }, on client: PostgresClient
    )
        async throws -> CohortFixture
    {
        let dataset = try await DatasetRepository.ensure(
            DatasetRecord(
                id: .random(), name: "fixture-\(UUID())", sourceKind: .synthetic, sourceURI: "/fixture/\(UUID())",
                testFraction: 0.2, splitSeed: 7), on: client)
        let hash = String(repeating: "ab", count: 32)
        let records = (0..<(train + test)).map { index in
            CaseRecord(
                id: .random(), datasetID: dataset.id, sourceName: String(format: "Case_%03d", index),
                patientID: "P\(index)",
                state: .ingested(split: index < train ? .train : .test, imageSHA256: hash, labelSHA256: hash),
                labelVoxels: labelVoxels(index))
        }
        let stored = try await CaseRepository.record(records, on: client)
        return CohortFixture(
            dataset: dataset, trainingCases: Array(stored.prefix(train).map(\.id)),
            testCases: Array(stored.dropFirst(train).map(\.id)))
    }

    func experiment(
        strategy: Strategy = .random, maxRounds: Int = 2, initial: Int = 4,
        pick: Int = 2, annotation: ExperimentRecord.AnnotationMode = .oracle,
        stopAtEquivalence: Bool = false, seed: Int64 = 11
    ) -> ExperimentRecord {
        let design = ExperimentDesign(
            strategy: strategy, restriction: .none, initialCount: initial, candidateCount: max(pick, 3),
            queryCount: pick, maxRounds: maxRounds, stopAtEquivalence: stopAtEquivalence,
            dropoutPasses: strategy.usesDropoutPasses ? 4 : nil, bootstrapMembers: strategy == .bootstrap ? 3 : nil,
            seed: seed, profile: .tiny)
        return ExperimentRecord(
            id: .random(), name: "fixture", datasetID: dataset.id, design: design,
            annotationMode: annotation)
    }
}
