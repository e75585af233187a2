import Domain
import Foundation
import Testing

/// The typed ids share one wire form, the lowercase UUID string, in every direction.
@Suite struct IdentifierTests {
    let uuid = UUID(uuidString: "0F8FAD5B-D9CB-469F-A165-70867728950E")!

    @Test func wireFormIsTheLowercaseUUIDString() {
        #expect(CaseID(uuid).wireForm == "0f8fad5b-d9cb-469f-a165-70867728950e")
        #expect(ModelID(uuid).description == "0f8fad5b-d9cb-469f-a165-70867728950e")
        #expect("\(JobID(uuid))" == "0f8fad5b-d9cb-469f-a165-70867728950e")
    }

    @Test func wireFormRoundTrips() {
        let id = ExperimentID.random()
        #expect(ExperimentID(wireForm: id.wireForm) == id)
        #expect(DatasetID(wireForm: "0F8FAD5B-D9CB-469F-A165-70867728950E") == DatasetID(uuid))
    }

    @Test func malformedWireFormIsRefused() {
        #expect(CaseID(wireForm: "") == nil)
        #expect(CaseID(wireForm: "not-a-uuid") == nil)
        #expect(CaseID(wireForm: "0f8fad5b-d9cb-469f-a165-70867728950") == nil)
    }

    @Test func jsonCarriesTheWireForm() throws {
        let data = try JSONEncoder().encode([CaseID(uuid)])
        #expect(String(decoding: data, as: UTF8.self) == #"["0f8fad5b-d9cb-469f-a165-70867728950e"]"#)
        #expect(try JSONDecoder().decode([CaseID].self, from: data) == [CaseID(uuid)])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([CaseID].self, from: Data(#"["x"]"#.utf8)) }
    }

    @Test func orderIsTheUUIDOrder() {
        let low = CaseID(UUID(uuidString: "0A000000-0000-0000-0000-000000000000")!)
        let high = CaseID(UUID(uuidString: "A0000000-0000-0000-0000-000000000000")!)
        #expect(low < high)
        #expect([high, low].sorted() == [low, high])
    }
}
