import Foundation
import Testing

@testable import IngestService

@Suite("Test split")
struct TestSplitTests {
    static let patients = (0..<50).map { "BraTS2021_\(1000 + $0)" }

    @Test(
        "a share of t/n, written with nine decimals, holds out exactly t of n patients",
        arguments: [(50, 80), (20, 4), (500, 125), (1, 1000)])
    func shareOfACount(pool: Int, test: Int) throws {
        let patients = (0..<(pool + test)).map { "Synth_\(String(format: "%05d", $0 + 1))" }
        let share = Double(String(format: "%.9f", Double(test) / Double(pool + test)))!
        #expect(try TestSplit.testPatients(patients, share: share, seed: 1).count == test)
    }

    @Test("the share of patients is held out, depending only on the set and the seed")
    func shareAndDeterminism() throws {
        let split = try TestSplit.testPatients(Self.patients, share: 0.2, seed: 11)
        #expect(split.count == 10)
        #expect(split.isSubset(of: Set(Self.patients)))
        #expect(try TestSplit.testPatients(Self.patients.reversed(), share: 0.2, seed: 11) == split)
        #expect(try TestSplit.testPatients(Self.patients + Self.patients, share: 0.2, seed: 11) == split)
        #expect(try TestSplit.testPatients(Self.patients, share: 0.2, seed: 12) != split)
    }

    @Test("the held-out count rounds the share", arguments: [(6, 0.2, 1), (7, 0.5, 4), (3, 0.1, 0), (10, 0.25, 3)])
    func countRounds(patients: Int, share: Double, expected: Int) throws {
        #expect(
            try TestSplit.testPatients(Array(Self.patients.prefix(patients)), share: share, seed: 1).count == expected)
    }
}
