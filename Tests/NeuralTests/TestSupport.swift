import SeededRandom

@testable import Neural

/// The shared seeded generator with the two draws the tests use.
struct SeededGeneratorForTests {
    var generator: SeededGenerator
    init(seed: UInt64) { generator = SeededGenerator(seed: seed) }
    mutating func gaussian() -> Double { generator.nextGaussian() }
    mutating func unit() -> Double { generator.nextUnitDouble() }
}

/// Central finite-difference check of a layer's input and parameter gradients.
///
/// The layer runs in float32, so the scalar objective `f = Σ r·layer(x)` (accumulated in double)
/// carries a rounding error of about 1e-7·Σ|r·y| ≈ 1e-5 on these sizes; divided by `2·step` with
/// step 1e-2 that is ~1e-3 in the difference quotient. Second-order terms vanish for the piecewise
/// linear layers (inputs are kept away from kinks) and are ~step² for GroupNorm. Hence an absolute
/// tolerance of 5e-3 plus 1% relative.
func gradientCheck(
    _ layer: some Layer, input: Tensor, seed: UInt64, step: Float = 1e-2,
    samples: Int = 40
) -> (worst: Float, checked: Int) {
    let output = layer(input)
    let upstream = randomTensor(output.shape, seed: seed)
    for p in layer.parameters { p.zeroGradient() }
    let analyticInput = layer.backward(upstream)

    func objective(_ x: Tensor) -> Double {
        let y = layer(x)
        var total = 0.0
        for i in 0..<y.count { total += Double(y.scalars[i]) * Double(upstream.scalars[i]) }
        return total
    }

    var generator = SeededGeneratorForTests(seed: seed &+ 1)
    var worst: Float = 0
    var checked = 0
    func compare(numeric: Double, analytic: Float) {
        worst = max(worst, Float(abs(numeric - Double(analytic))) / (5e-3 + 1e-2 * abs(analytic)))
        checked += 1
    }
    for _ in 0..<samples {
        let i = Int(generator.unit() * Double(input.count))
        var plus = input, minus = input
        plus.scalars[i] += step
        minus.scalars[i] -= step
        let numeric = (objective(plus) - objective(minus)) / Double(2 * step)
        compare(numeric: numeric, analytic: analyticInput.scalars[i])
    }
    for parameter in layer.parameters {
        let analytic = parameter.gradient
        for _ in 0..<min(samples, parameter.value.count) {
            let i = Int(generator.unit() * Double(parameter.value.count))
            let original = parameter.value.scalars[i]
            parameter.value.scalars[i] = original + step
            let plus = objective(input)
            parameter.value.scalars[i] = original - step
            let minus = objective(input)
            parameter.value.scalars[i] = original
            compare(numeric: (plus - minus) / Double(2 * step), analytic: analytic.scalars[i])
        }
    }
    return (worst, checked)
}
