import Statistics
import Testing

@Suite struct CollapseCheckTests {
    @Test func aModelThatPredictsNothingOnTumorCasesIsAllBackground() {
        // Three tumor-free cases predicted empty score Dice 1 each, yet the model finds no tumor.
        let check = CollapseCheck(predictedVoxels: [0, 0, 0, 0, 0, 0], referenceVoxels: [0, 0, 0, 12, 40, 7])
        #expect(check.tumorCases == 3)
        #expect(check.emptyPredictions == 3)
        #expect(check.isAllBackground)
    }

    @Test func theLimitIsNinetyPercentOfTheTumorCases() {
        let reference = Array(repeating: 10, count: 10) + [0]
        let nineEmpty = CollapseCheck(
            predictedVoxels: Array(repeating: 0, count: 9) + [5, 3], referenceVoxels: reference)
        #expect(nineEmpty.emptyPredictions == 9)
        #expect(nineEmpty.isAllBackground)
        let eightEmpty = CollapseCheck(
            predictedVoxels: Array(repeating: 0, count: 8) + [5, 5, 0], referenceVoxels: reference)
        #expect(eightEmpty.emptyPredictions == 8)
        #expect(!eightEmpty.isAllBackground)
    }

    @Test func falsePositivesOnTumorFreeCasesDoNotCountAsFindingTumors() {
        let check = CollapseCheck(predictedVoxels: [30, 0, 0], referenceVoxels: [0, 9, 4])
        #expect(check.isAllBackground)
    }

    @Test func withoutTumorCasesNothingIsJudged() {
        let check = CollapseCheck(predictedVoxels: [0, 0], referenceVoxels: [0, 0])
        #expect(check.tumorCases == 0)
        #expect(!check.isAllBackground)
    }
}
