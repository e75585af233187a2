import SeededRandom
import Testing

/// The first outputs for seed 42 come from a Python transcription of Vigna's reference C code for
/// splitmix64 and xoshiro256**. Pinning them keeps stored experiments reproducible: a change of
/// generator would silently change every seeded initial set and weight initialisation.
@Test func matchesReferenceSequence() {
    var g = SeededGenerator(seed: 42)
    #expect(
        (0..<4).map { _ in g.next() } == [
            1546998764402558742, 6990951692964543102, 12544586762248559009, 17057574109182124193,
        ])
}

@Test func sameSeedSameStreamDifferentStreamsDiffer() {
    var a = SeededGenerator(seed: 7, stream: 3)
    var b = SeededGenerator(seed: 7, stream: 3)
    var c = SeededGenerator(seed: 7, stream: 4)
    let xs = (0..<8).map { _ in a.next() }
    #expect(xs == (0..<8).map { _ in b.next() })
    #expect(xs != (0..<8).map { _ in c.next() })
}

@Test func gaussianHasUnitMoments() {
    var g = SeededGenerator(seed: 1)
    let n = 200_000
    var sum = 0.0, sumSquares = 0.0
    for _ in 0..<n {
        let x = g.nextGaussian()
        sum += x
        sumSquares += x * x
    }
    let mean = sum / Double(n)
    #expect(abs(mean) < 0.01)
    #expect(abs(sumSquares / Double(n) - mean * mean - 1) < 0.02)
}

@Test func unitDoublesStayInHalfOpenInterval() {
    var g = SeededGenerator(seed: 9)
    for _ in 0..<10_000 {
        let u = g.nextUnitDouble()
        #expect(u >= 0 && u < 1)
    }
}
