import Foundation

/// The id of an imaging case (the `cases` table's key); a new import of the same case gets a new one.
public struct CaseID: Identifier {
    public let uuid: UUID

    public init(_ uuid: UUID) {
        self.uuid = uuid
    }
}
