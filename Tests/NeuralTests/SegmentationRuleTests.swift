import Neural
import Testing

@Suite struct SegmentationRuleTests {
    @Test("voxels at probability ≥ 0.5 are foreground; without a minimum any number is kept")
    func threshold() {
        let probabilities: [Float] = [0.0, 0.49, 0.5, 0.9, 1.0, 0.2]
        #expect(SegmentationRule().foreground(probabilities) == [false, false, true, true, true, false])
        #expect(SegmentationRule(minimumVoxels: 1).foreground([0.7, 0.1]) == [true, false])
    }

    @Test("a segmentation with fewer voxels than the minimum is emptied, one with as many is kept whole")
    func minimumVolume() {
        let three: [Float] = [0.9, 0.1, 0.6, 0.0, 0.8, 0.3]
        let rule = SegmentationRule(minimumVoxels: 3)
        #expect(rule.foreground(three) == [true, false, true, false, true, false])
        let two: [Float] = [0.9, 0.1, 0.6, 0.0, 0.2, 0.3]
        #expect(rule.foreground(two) == [Bool](repeating: false, count: 6))
    }
}
