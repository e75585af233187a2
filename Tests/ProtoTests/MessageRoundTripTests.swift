import Foundation
import Proto
import SwiftProtobuf
import Testing

/// Messages survive the wire format with their nested messages, oneofs, optionals and times, so
/// services built from different commits of the same contract understand each other.
@Suite struct MessageRoundTripTests {
    static let finished = Google_Protobuf_Timestamp(seconds: 1_795_000_000, nanos: 123_456_789)

    @Test func trainResultKeepsModelMetricsAndTime() throws {
        var result = TrainResult()
        result.jobID = "7d2f0c1e-3b7a-4a53-9a55-0f1c9c7a1d11"
        result.experimentID = "0b6f3c5e-8f1d-4f57-a7a6-52d0a1b0e9c4"
        result.repetition = 2
        result.round = 3
        result.ensembleMember = 0
        result.model.modelID = "5f9e2d1a-7c3b-4e8f-9a0b-1c2d3e4f5a6b"
        result.model.checkpoint.sha256 = String(repeating: "ab", count: 32)
        result.model.checkpoint.sizeBytes = 93_412_352
        result.metrics.epochs = 187
        result.metrics.bestEpoch = 137
        result.metrics.bestValidationDice = 0.8125
        result.finishedAt = Self.finished

        let decoded = try TrainResult(serializedBytes: try result.serializedBytes() as [UInt8])

        #expect(decoded == result)
        #expect(decoded.hasEnsembleMember, "member 0 must stay distinguishable from no member")
        #expect(decoded.ensembleMember == 0)
        #expect(decoded.model.checkpoint.sizeBytes == 93_412_352)
        #expect(decoded.finishedAt.nanos == 123_456_789)
    }

    @Test func absentOptionalStaysAbsent() throws {
        var result = TrainResult()
        result.round = 1
        let decoded = try TrainResult(serializedBytes: try result.serializedBytes() as [UInt8])
        #expect(!decoded.hasEnsembleMember)
        #expect(!decoded.hasModel)
    }

    @Test func ingestResultKeepsEachOutcome() throws {
        var ingested = CaseIngested()
        ingested.datasetID = "c1a7e0b2-4d4e-4b8c-8e1f-3a2b1c0d9e8f"
        ingested.caseRef.caseID = "e3b0c442-98fc-4c14-9afb-f4c8996fb924"
        ingested.caseRef.image.sha256 = String(repeating: "01", count: 32)
        ingested.shape = [160, 192, 155]
        ingested.labelVoxels = 0
        ingested.ingestedAt = Self.finished
        var failed = CaseFailed()
        failed.sourceName = "BraTS20_Training_042"
        failed.reason = "T2 grid 240×240×155 differs from T1c 256×256×170"
        failed.file = "BraTS20_Training_042/BraTS20_Training_042_t2.nii.gz"

        var result = IngestResult()
        result.requestID = "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d"
        result.outcomes = [
            CaseOutcome.with { $0.ingested = ingested },
            CaseOutcome.with { $0.failed = failed },
        ]

        let decoded = try IngestResult(serializedBytes: try result.serializedBytes() as [UInt8])

        #expect(decoded == result)
        #expect(decoded.outcomes.map(\.outcome) == [.ingested(ingested), .failed(failed)])
        #expect(!decoded.outcomes[0].ingested.caseRef.hasLabel, "an unlabelled case must stay unlabelled")
    }

    @Test func experimentStatusKeepsItsSpec() throws {
        var status = ExperimentStatus()
        status.experimentID = "0b6f3c5e-8f1d-4f57-a7a6-52d0a1b0e9c4"
        status.spec = ExperimentSpec.with {
            $0.strategy = .dropoutTrainTest
            $0.restriction = .representative
            $0.initialCases = 40
            $0.topK = 100
            $0.pick = 50
            $0.stop = StopRule.with {
                $0.maxRounds = 9
                $0.atEquivalence = true
            }
            $0.seeds = [1, 2, 3]
            $0.profile = .cpu
            $0.hyperParameters.learningRate = 1e-3
            $0.hyperParameters.weightDecay = 2e-5
            $0.annotation = .oracle
            $0.test = .paired
        }
        status.state = .running
        status.phase = .scoring
        status.firstEquivalentRound = 4
        status.createdAt = Self.finished

        let decoded = try ExperimentStatus(serializedBytes: try status.serializedBytes() as [UInt8])

        #expect(decoded == status)
        #expect(decoded.spec.hyperParameters.weightDecay == 2e-5)
        #expect(decoded.spec.seeds == [1, 2, 3])
        #expect(decoded.firstEquivalentRound == 4)
    }

    @Test func unknownFieldsOfANewerContractArePreserved() throws {
        // A newer RoundFinished with a field this build does not know (number 99, varint 7).
        var bytes: [UInt8] = try RoundFinished.with {
            $0.round = 5
            $0.tostP = 0.01
        }.serializedBytes()
        bytes += [0x98, 0x06, 0x07]

        let decoded = try RoundFinished(serializedBytes: bytes)
        let reencoded: [UInt8] = try decoded.serializedBytes()

        #expect(decoded.round == 5)
        #expect(reencoded == bytes, "a relaying service must not drop what it does not understand")
    }
}
