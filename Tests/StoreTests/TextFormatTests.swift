import Domain
import Foundation
import Store
import Testing

/// The text forms sent to the server, checked against PostgreSQL's documented input syntax.
@Suite struct TextFormatTests {
    @Test func datesAreUTCWithMicroseconds() {
        #expect(Date(timeIntervalSince1970: 0).postgresText == "1970-01-01 00:00:00.000000+00")
        #expect(Date(timeIntervalSince1970: -0.25).postgresText == "1969-12-31 23:59:59.750000+00")
        #expect(Date(timeIntervalSince1970: 951_782_400.000_001).postgresText == "2000-02-29 00:00:00.000001+00")
    }

    @Test func byteaUsesTheHexFormat() {
        #expect(Data([0x00, 0xab, 0xff]).postgresText == #"\x00abff"#)
        #expect(Data(postgresText: #"\x00ABff"#, type: .bytea) == Data([0x00, 0xab, 0xff]))
        #expect(Data(postgresText: #"\x0"#, type: .bytea) == nil)
    }

    @Test func floatArraysSpellSpecialValues() {
        let values: [Float] = [1, -0.5, .nan, -.infinity]
        #expect(values.postgresText == "{1.0,-0.5,NaN,-Infinity}")
        #expect([Float](postgresText: "{{1,2},{3,4}}", type: .float4Array) == nil)
        #expect([Float](postgresText: "{1,NULL}", type: .float4Array) == nil)
        #expect([Float](postgresText: "{}", type: .float4Array) == [])
    }

    @Test func interpolationBindsInsteadOfSplicing() {
        let name = "x'); DROP TABLE cases; --"
        let query: PostgresQuery = "SELECT * FROM datasets WHERE name = \(name) AND split_seed = \(Int64(3))"
        #expect(query.sql == "SELECT * FROM datasets WHERE name = $1 AND split_seed = $2")
        #expect(query.bindings.map(\.text) == [name, "3"])
        #expect(query.bindings.map(\.type) == [.text, .int8])
    }

    @Test func identifiersTravelAsUUIDs() {
        let uuid = UUID(uuidString: "0F8FAD5B-D9CB-469F-A165-70867728950E")!
        #expect(CaseID.postgresType == .uuid)
        #expect(CaseID(uuid).postgresText == "0f8fad5b-d9cb-469f-a165-70867728950e")
        #expect(CaseID(uuid).postgresText == uuid.postgresText)
        #expect(ModelID(postgresText: "0f8fad5b-d9cb-469f-a165-70867728950e", type: .uuid) == ModelID(uuid))
        #expect(ModelID(postgresText: "0f8fad5b-d9cb-469f-a165-70867728950e", type: .text) == nil)
        #expect(JobID(postgresText: "0f8fad5b", type: .uuid) == nil)
        let query: PostgresQuery = "SELECT * FROM cases WHERE id = \(CaseID(uuid))"
        #expect(query.bindings.map(\.type) == [.uuid])
    }
}
