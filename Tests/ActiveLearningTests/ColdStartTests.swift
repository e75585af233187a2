import Testing

@testable import ActiveLearning

@Suite struct ColdStartTests {
    /// Half of the initial count must hold at least 30 label voxels, as in the `cpu` profile.
    let rule = ColdStart(tumorShare: 0.5, minimumTumorVoxels: 30)

    @Test func theRequiredCountIsTheShareOfTheInitialCountRoundedUp() {
        #expect(rule.requiredTumorCases(initialCount: 8) == 4)
        #expect(rule.requiredTumorCases(initialCount: 5) == 3)
        #expect(ColdStart.off.requiredTumorCases(initialCount: 8) == 0)
    }

    @Test func aTumorCountsFromTheMinimumVolumeAndAnUncountedLabelCountsAsOne() {
        #expect(!rule.holdsTumor(labelVoxels: 0))
        #expect(!rule.holdsTumor(labelVoxels: 29))
        #expect(rule.holdsTumor(labelVoxels: 30))
        #expect(rule.holdsTumor(labelVoxels: nil))
        let anyVoxel = ColdStart(tumorShare: 0.5, minimumTumorVoxels: 0)
        #expect(!anyVoxel.holdsTumor(labelVoxels: 0) && anyVoxel.holdsTumor(labelVoxels: 1))
    }

    @Test func aDrawWithTooFewTumorsIsExtendedAlongTheSameOrderUntilItHoldsThem() {
        // Cases 0…11 in draw order; only 3, 9 and 10 hold a tumor of the minimum volume (4 has 22 voxels).
        let voxels = [0, 0, 0, 500, 22, 0, 0, 0, 0, 300, 90, 800]
        let order = Array(voxels.indices)
        let set = ColdStart(tumorShare: 0.5, minimumTumorVoxels: 30).initialSet(order, initialCount: 4) { voxels[$0] }
        #expect(set == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], "the prefix that holds two tumors: cases 3 and 9")
        #expect(rule.initialSet(order, initialCount: 4) { voxels[$0] } == Array(0...9))
        #expect(
            rule.initialSet(order, initialCount: 8) { voxels[$0] } == order, "four tumors are more than the draw holds")
        #expect(ColdStart.off.initialSet(order, initialCount: 4) { voxels[$0] } == [0, 1, 2, 3])
        #expect(
            rule.initialSet([3, 9, 0, 1, 2], initialCount: 4) { voxels[$0] } == [3, 9, 0, 1],
            "enough tumors: the draw as it is")
    }

    @Test func anotherCaseIsNeededOnlyWhileTheAnnotationsShowTooFewTumors() {
        #expect(rule.needsAnotherCase(initialCount: 4, annotatedLabelVoxels: [0, 0, 500, 12]))
        #expect(!rule.needsAnotherCase(initialCount: 4, annotatedLabelVoxels: [0, 0, 500, 40]))
        #expect(!rule.needsAnotherCase(initialCount: 4, annotatedLabelVoxels: [0, nil, 500, 0]))
    }
}
