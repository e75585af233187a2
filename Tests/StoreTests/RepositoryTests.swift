import Domain
import Foundation
import Store
import TestSupport
import Testing

@Suite("Dataset and case repositories", .tags(.stack), .needsLocalStack)
struct RepositoryTests {
    static func dataset(_ id: DatasetID = .random(), uri: String = "/data/brats") -> DatasetRecord {
        DatasetRecord(id: id, name: "brats:\(uri)", sourceKind: .brats, sourceURI: uri, testFraction: 0.2, splitSeed: 7)
    }

    static let image = String(repeating: "a", count: 64)
    static let label = String(repeating: "b", count: 64)

    @Test("ensuring a dataset again keeps its first split settings; another id for its source is refused")
    func datasetIsCreatedOnce() async throws {
        try await withIsolatedSchema { (client, _) async throws in
            let first = Self.dataset()
            #expect(try await DatasetRepository.ensure(first, on: client) == first)
            var changed = first
            changed.testFraction = 0.5
            changed.splitSeed = 8
            #expect(try await DatasetRepository.ensure(changed, on: client) == first)
            await #expect { try await DatasetRepository.ensure(Self.dataset(), on: client) } throws: { error in
                (error as? StoreError)?.code == .uniqueViolation
            }
            #expect(try await DatasetRepository.dataset(first.id, on: client) == first)
        }
    }

    @Test("recording a case again returns the stored row; a failed case may be repaired, an ingested one never fails")
    func casesAreIdempotent() async throws {
        try await withIsolatedSchema { (client, _) async throws in
            let dataset = try await DatasetRepository.ensure(Self.dataset(), on: client)
            func record(_ name: String, _ state: CaseRecord.State) async throws -> CaseRecord {
                try await CaseRepository.record(
                    [
                        CaseRecord(
                            id: .random(), datasetID: dataset.id, sourceName: name, patientID: name,
                            state: state)
                    ], on: client)[0]
            }
            let ingested = try await record(
                "case-1", .ingested(split: .test, imageSHA256: Self.image, labelSHA256: Self.label))
            #expect(
                try await record("case-1", .ingested(split: .train, imageSHA256: Self.label, labelSHA256: nil))
                    == ingested)
            #expect(try await record("case-1", .failed(reason: "unreadable")) == ingested)

            let failed = try await record("case-2", .failed(reason: "T2 missing"))
            #expect(failed.state == .failed(reason: "T2 missing"))
            #expect(
                try await record("case-2", .failed(reason: "T1c truncated")).state == .failed(reason: "T1c truncated"))
            let repaired = try await record(
                "case-2", .ingested(split: .train, imageSHA256: Self.image, labelSHA256: nil))
            #expect(repaired.id == failed.id)
            #expect(repaired.state == .ingested(split: .train, imageSHA256: Self.image, labelSHA256: nil))

            #expect(try await CaseRepository.cases(in: dataset.id, on: client) == [ingested, repaired])
        }
    }

    @Test("a label's voxel count is stored with it, and a case without a label keeps none")
    func labelVoxelsAreStoredWithTheLabel() async throws {
        try await withIsolatedSchema { (client, _) async throws in
            let dataset = try await DatasetRepository.ensure(Self.dataset(), on: client)
            let stored = try await CaseRepository.record(
                [
                    CaseRecord(
                        id: .random(), datasetID: dataset.id, sourceName: "case-1", patientID: "case-1",
                        state: .ingested(split: .test, imageSHA256: Self.image, labelSHA256: Self.label),
                        labelVoxels: 417),
                    CaseRecord(
                        id: .random(), datasetID: dataset.id, sourceName: "case-2", patientID: "case-2",
                        state: .ingested(split: .train, imageSHA256: Self.image, labelSHA256: nil), labelVoxels: 9),
                ], on: client)
            #expect(stored.map(\.labelVoxels) == [417, nil])
            #expect(try await CaseRepository.cases(in: dataset.id, on: client).map(\.labelVoxels) == [417, nil])
            await #expect {
                try await client.query("UPDATE cases SET label_voxels = -1 WHERE source_name = 'case-1'")
            } throws: { ($0 as? StoreError)?.code == .checkViolation }
            await #expect {
                try await client.query("UPDATE cases SET label_voxels = 3 WHERE source_name = 'case-2'")
            } throws: { ($0 as? StoreError)?.code == .checkViolation }
        }
    }

    @Test("a batch that breaks a constraint stores none of its cases")
    func batchIsOneTransaction() async throws {
        try await withIsolatedSchema { (client, _) async throws in
            let dataset = try await DatasetRepository.ensure(Self.dataset(), on: client)
            let good = CaseRecord(
                id: .random(), datasetID: dataset.id, sourceName: "case-1", patientID: "case-1",
                state: .ingested(split: .train, imageSHA256: Self.image, labelSHA256: nil))
            let unlabelledTest = CaseRecord(
                id: .random(), datasetID: dataset.id, sourceName: "case-2", patientID: "case-2",
                state: .ingested(split: .test, imageSHA256: Self.image, labelSHA256: nil))
            await #expect { try await CaseRepository.record([good, unlabelledTest], on: client) } throws: { error in
                (error as? StoreError)?.code == .checkViolation
            }
            #expect(try await CaseRepository.cases(in: dataset.id, on: client).isEmpty)
        }
    }
}
