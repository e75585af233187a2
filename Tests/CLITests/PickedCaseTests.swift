import CommandLineTools
import Proto
import Testing

/// Which picks get a picture, and which model draws each: the previous round's, its first member.
@Suite struct PickedCaseTests {
    static let hashes = (0..<3).map { String(repeating: "\($0)", count: 64) }
    static let caseIDs = (1...4).map { "0b9f3c1e-0000-4000-8000-00000000000\($0)" }

    static func pick(round: UInt32, rank: UInt32, case index: Int, annotated: Bool) -> CasePick {
        .with {
            $0.selectedRound = round
            $0.selectionRank = rank
            $0.caseID = caseIDs[index]
            $0.caseName = "Synth_\(index)"
            if annotated { $0.annotatedRound = round }
        }
    }

    static func model(round: UInt32, member: UInt32?, hash: String) -> StoredModel {
        .with {
            $0.round = round
            if let member { $0.ensembleMember = member }
            $0.checkpoint = .with { $0.sha256 = hash }
        }
    }

    @Test func eachModelPickIsDrawnWithThePreviousRoundsFirstMember() throws {
        let picks = [
            Self.pick(round: 0, rank: 0, case: 0, annotated: true),
            Self.pick(round: 1, rank: 1, case: 1, annotated: true),
            Self.pick(round: 2, rank: 0, case: 2, annotated: false),
            Self.pick(round: 3, rank: 0, case: 3, annotated: true),
        ]
        let models = [
            Self.model(round: 0, member: 1, hash: Self.hashes[1]),
            Self.model(round: 0, member: 0, hash: Self.hashes[0]),
            Self.model(round: 1, member: 0, hash: Self.hashes[2]),
        ]
        let pictured = try PickedCase.pairing(picks, with: models)
        // Round 0 is the initial random set, round 2's label is awaited, round 3's model (round 2) is missing.
        #expect(pictured.map(\.round) == [1])
        #expect(pictured.first?.rank == 1)
        #expect(pictured.first?.caseID.wireForm == Self.caseIDs[1])
        #expect(pictured.first?.checkpoint.sha256 == Self.hashes[0])
    }

    @Test func aSingleModelWithoutMemberDrawsToo() throws {
        let pictured = try PickedCase.pairing(
            [Self.pick(round: 1, rank: 0, case: 0, annotated: true)],
            with: [Self.model(round: 0, member: nil, hash: Self.hashes[2])])
        #expect(pictured.map(\.checkpoint.sha256) == [Self.hashes[2]])
    }

    @Test func aMalformedCheckpointIsAnErrorNotASilentGap() {
        #expect(throws: CommandLineError.self) {
            try PickedCase.pairing(
                [Self.pick(round: 1, rank: 0, case: 0, annotated: true)],
                with: [Self.model(round: 0, member: 0, hash: "not-a-hash")])
        }
    }
}
