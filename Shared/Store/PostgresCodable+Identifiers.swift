import Domain
import Foundation

// The typed ids travel as PostgreSQL's `uuid`, exactly as `UUID` does, so a repository binds and
// decodes them directly and a column keeps one type whichever id it holds.

extension PostgresEncodable where Self: Identifier {
    public static var postgresType: PostgresDataType { UUID.postgresType }
    public var postgresText: String { uuid.postgresText }
}

extension PostgresDecodable where Self: Identifier {
    public init?(postgresText: String, type: PostgresDataType) {
        guard let uuid = UUID(postgresText: postgresText, type: type) else { return nil }
        self.init(uuid)
    }
}

extension ExperimentID: PostgresCodable {}
extension CaseID: PostgresCodable {}
extension ModelID: PostgresCodable {}
extension JobID: PostgresCodable {}
extension DatasetID: PostgresCodable {}
