import Foundation
import Store
import TestSupport
import Testing

@Suite(.tags(.stack), .needsLocalStack) struct QueryTests {
    @Test func hostileTextIsStoredLiterally() async throws {
        let hostile = "'; DROP TABLE cases; --"
        try await withIsolatedSchema { client, _ in
            let dataset = UUID()
            try await client.query(Fixtures.datasetInsert(id: dataset, name: hostile))
            try await client.query(Fixtures.ingestedCaseInsert(dataset: dataset, name: hostile))

            let rows = try await client.query(
                "SELECT d.name, c.source_name FROM datasets d JOIN cases c ON c.dataset_id = d.id WHERE d.name = \(hostile)"
            )
            #expect(rows.count == 1)
            #expect(try rows[0].decode("name", as: String.self) == hostile)
            #expect(try rows[0].decode("source_name", as: String.self) == hostile)
            let table = try await client.query("SELECT to_regclass('cases') IS NOT NULL AS present")
            #expect(try table[0].decode("present", as: Bool.self))
        }
    }

    @Test func quotedIdentifierCannotEscape() async throws {
        try await withIsolatedSchema { client, _ in
            let name = #"odd"; DROP TABLE cases; --"#
            try await client.query("CREATE TABLE \(identifier: name) (id integer)")
            let tables = try await client.query(
                "SELECT to_regclass('cases') IS NOT NULL AS cases, to_regclass(\(#""odd""; DROP TABLE cases; --""#)) IS NOT NULL AS odd"
            )
            #expect(try tables[0].decode("cases", as: Bool.self))
            #expect(try tables[0].decode("odd", as: Bool.self))
        }
    }

    @Test func valuesRoundTripThroughTheServer() async throws {
        let text = "Ünïcode, 'quotes', \\backslash\\ and \"double\""
        let big = Int64.max
        let date = Date(timeIntervalSince1970: 1_764_170_024.123_456)
        let early = Date(timeIntervalSince1970: -86_400 * 365.25 * 40 + 0.5)
        let uuid = UUID()
        let bytes = Data([0, 1, 0x7f, 0x80, 0xfe, 0xff])
        let vector: [Float] = [0.1, -2.5e-8, 3.4e38, .infinity, 1]
        try await withIsolatedSchema { client, _ in
            let rows = try await client.query(
                """
                SELECT \(text) AS text, \(42) AS int, \(big) AS big, \(Int32(-7)) AS small, \(0.1) AS double,
                       \(Double.infinity) AS infinite, \(true) AS yes, \(date) AS date, \(early) AS early,
                       \(uuid) AS uuid, \(bytes) AS bytes, \(vector) AS vector, \(nil as String?) AS missing,
                       \(Float(1.5)) AS float
                """)
            let row = try #require(rows.first)
            #expect(try row.decode("text", as: String.self) == text)
            #expect(try row.decode("int", as: Int.self) == 42)
            #expect(try row.decode("big", as: Int64.self) == big)
            #expect(try row.decode("small", as: Int32.self) == -7)
            #expect(try row.decode("double", as: Double.self) == 0.1)
            #expect(try row.decode("infinite", as: Double.self) == .infinity)
            #expect(try row.decode("yes", as: Bool.self))
            #expect(abs(try row.decode("date", as: Date.self).timeIntervalSince(date)) < 1e-6)
            #expect(abs(try row.decode("early", as: Date.self).timeIntervalSince(early)) < 1e-6)
            #expect(try row.decode("uuid", as: UUID.self) == uuid)
            #expect(try row.decode("bytes", as: Data.self) == bytes)
            #expect(try row.decode("vector", as: [Float].self) == vector)
            #expect(try row.decode("missing", as: String?.self) == nil)
            #expect(try row.decode("float", as: Float.self) == 1.5)
        }
    }

    @Test func serverTimestampsDecodeInUTC() async throws {
        try await withIsolatedSchema { client, _ in
            let rows = try await client.query(
                "SELECT timestamptz '2024-02-29 23:59:58.5-05:00' AS leap, timestamp '1969-12-31 23:59:59' AS naive")
            let leap = try rows[0].decode("leap", as: Date.self)
            #expect(leap == Date(timeIntervalSince1970: 1_709_269_198.5))
            #expect(try rows[0].decode("naive", as: Date.self) == Date(timeIntervalSince1970: -1))
        }
    }

    @Test func decodingErrorsNameTheColumnAndType() async throws {
        try await withIsolatedSchema { client, _ in
            let rows = try await client.query("SELECT 'seven'::text AS count, NULL::integer AS absent")
            let wrongType = #expect(throws: StoreError.self) { try rows[0].decode("count", as: Int.self) }
            #expect(wrongType?.code == .decoding)
            #expect(wrongType?.message.contains("\"count\"") == true)
            #expect(wrongType?.message.contains("text") == true)
            let null = #expect(throws: StoreError.self) { try rows[0].decode("absent", as: Int.self) }
            #expect(null?.code == .decoding)
            #expect(null?.message.contains("\"absent\"") == true)
            let missing = #expect(throws: StoreError.self) { try rows[0].decode("nowhere", as: Int.self) }
            #expect(missing?.message.contains("nowhere") == true)
        }
    }

    @Test func serverErrorsNameTheFailedQuery() async throws {
        try await withIsolatedSchema { client, _ in
            let error = await #expect(throws: StoreError.self) {
                try await client.query("SELECT * FROM no_such_table WHERE id = \(7)")
            }
            #expect(error?.code == .query)
            #expect(error?.sqlState == "42P01")
            #expect(error?.query == "SELECT * FROM no_such_table WHERE id = $1")
        }
    }
}
