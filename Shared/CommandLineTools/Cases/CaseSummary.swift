import Domain
import Foundation
import Proto

/// One row of `case list`: a case's state as ingest recorded it.
struct CaseSummary: Codable, Sendable, Equatable {
    var id: CaseID
    var dataset: String
    var datasetID: DatasetID
    /// The case's name in its source (folder or manifest row).
    var name: String
    var patient: String
    /// `ingested` or `failed`.
    var state: String
    /// Why ingest rejected the case, for a failed case.
    var failureReason: String?
    /// `train` or `test`, for an ingested case.
    var split: String?
    var labelled: Bool

    init(_ listing: CaseListing) throws {
        guard let id = CaseID(wireForm: listing.caseID), let datasetID = DatasetID(wireForm: listing.datasetID) else {
            throw CommandLineError(
                .failed, subject: "ingest", detail: "answered a case with a malformed id '\(listing.caseID)'")
        }
        self.id = id
        self.datasetID = datasetID
        dataset = listing.datasetName
        name = listing.sourceName
        patient = listing.patientID
        state = listing.state == .failed ? "failed" : "ingested"
        failureReason = listing.state == .failed ? listing.failureReason : nil
        split =
            switch listing.split {
            case .train: DataSplit.train.rawValue
            case .test: DataSplit.test.rawValue
            case .unspecified, .UNRECOGNIZED: nil
            }
        labelled = listing.labelled
    }

    /// The cases that match every filter given (all when none is), ordered by dataset and name.
    static func matching(
        _ client: ServiceClient, id: CaseID? = nil, dataset: DatasetID? = nil, state: CaseState = .unspecified
    ) async throws -> [CaseSummary] {
        try await client.call(
            IngestRPC.listCases,
            .with {
                $0.caseID = id?.wireForm ?? ""
                $0.datasetID = dataset?.wireForm ?? ""
                $0.state = state
            }
        ).cases.map(CaseSummary.init)
    }
}
