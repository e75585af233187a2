// Times redundancy-restricted selection at a size ten times the paper's (K = 1000 candidates,
// k = 500 picks, 512-d bottleneck features) and prints the median of several runs.
//
//   swift run -c release selection-benchmark [runs]
import ActiveLearning
import Domain
import Foundation
import SeededRandom

let candidateCount = 1000, pickCount = 500, dimension = 512, annotatedCount = 200
let runs = CommandLine.arguments.count > 1 ? max(1, Int(CommandLine.arguments[1]) ?? 5) : 5

/// Bottleneck-like features: non-negative (post-ReLU averages) around 20 cluster centres.
var generator = SeededGenerator(seed: 2024)
let centres = (0..<20).map { _ in (0..<dimension).map { _ in Float(abs(generator.nextGaussian())) } }
func featureVector(_ generator: inout SeededGenerator) -> [Float] {
    let centre = centres[Int(generator.next() % UInt64(centres.count))]
    return centre.map { max(0, $0 + Float(0.3 * generator.nextGaussian())) }
}
let candidates = (0..<candidateCount).map { i in
    SelectionCandidate(
        caseID: String(format: "case-%04d", i), sourceName: String(format: "Case_%04d", i),
        score: generator.nextUnitDouble(), features: featureVector(&generator))
}
let annotated = (0..<annotatedCount).map { _ in featureVector(&generator) }

func medianSeconds(_ restriction: RedundancyRestriction, standardize: Bool) throws -> Double {
    let selector = try CaseSelector(
        topK: candidateCount, count: pickCount, restriction: restriction,
        standardizesFeatures: standardize)
    var times: [Double] = []
    for _ in 0..<runs {
        let start = ContinuousClock.now
        let result = try selector.select(candidates, annotatedFeatures: annotated)
        let elapsed = ContinuousClock.now - start
        precondition(result.picked.count == pickCount)
        times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }
    return times.sorted()[times.count / 2]
}

print("K = \(candidateCount), k = \(pickCount), d = \(dimension), \(annotatedCount) annotated, median of \(runs) runs")
for restriction in [RedundancyRestriction.representative, .nonSimilar] {
    for standardize in [false, true] {
        let seconds = try medianSeconds(restriction, standardize: standardize)
        print("\(restriction.rawValue)\(standardize ? " (z-scored)" : ""): \(String(format: "%.3f", seconds)) s")
    }
}
