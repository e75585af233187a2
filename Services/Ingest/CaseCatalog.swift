import Domain
import Proto
import ServiceRuntime
import Store

/// Answers `Ingest.ListCases`: the cases ingest recorded, with their state, split and label, so a
/// person sees what an import made of each case without reading the database.
struct CaseCatalog: Sendable {
    let database: PostgresClient

    func list(_ request: ListCasesRequest) async throws -> CaseList {
        let datasetID = try DatasetID.optional(wireForm: request.datasetID, field: "dataset_id")
        let caseID = try CaseID.optional(wireForm: request.caseID, field: "case_id")
        var names: [DatasetID: String] = [:]
        var listings: [CaseListing] = []
        for record in try await CaseRepository.cases(in: datasetID, id: caseID, on: database) {
            var listing = Self.listing(record)
            guard request.state == .unspecified || listing.state == request.state else { continue }
            if names[record.datasetID] == nil {
                names[record.datasetID] =
                    try await DatasetRepository.dataset(record.datasetID, on: database)?.name ?? ""
            }
            listing.datasetName = names[record.datasetID] ?? ""
            listings.append(listing)
        }
        listings.sort { ($0.datasetName, $0.sourceName) < ($1.datasetName, $1.sourceName) }
        return CaseList.with { $0.cases = listings }
    }

    private static func listing(_ record: CaseRecord) -> CaseListing {
        CaseListing.with {
            $0.caseID = record.id.wireForm
            $0.datasetID = record.datasetID.wireForm
            $0.sourceName = record.sourceName
            $0.patientID = record.patientID
            switch record.state {
            case .ingested(let split, _, let label):
                $0.state = .ingested
                $0.split = split == .train ? .train : .test
                $0.labelled = label != nil
            case .failed(let reason):
                $0.state = .failed
                $0.failureReason = reason
            }
        }
    }
}
