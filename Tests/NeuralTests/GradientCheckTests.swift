import SeededRandom
import Testing

@testable import Neural

/// Every layer's backward pass agrees with central finite differences of its forward pass.
@Suite struct GradientCheckTests {
    @Test("Conv3D gradients", arguments: [(3, true), (3, false), (1, true)])
    func convolution(kernel: Int, bias: Bool) {
        var generator = SeededGenerator(seed: 7)
        let conv = Conv3D(inChannels: 3, outChannels: 4, kernelSize: kernel, bias: bias, generator: &generator)
        let (worst, checked) = gradientCheck(conv, input: randomTensor([2, 3, 4, 5, 3], seed: 11), seed: 12)
        #expect(checked >= 56)
        #expect(worst <= 1)
    }

    @Test func convolutionOfChannelBlocksEqualsConvolutionOfTheConcatenation() {
        var g1 = SeededGenerator(seed: 21), g2 = SeededGenerator(seed: 21)
        let blocks = Conv3D(inChannels: 5, outChannels: 3, kernelSize: 3, bias: false, generator: &g1)
        let joined = Conv3D(inChannels: 5, outChannels: 3, kernelSize: 3, bias: false, generator: &g2)
        let a = randomTensor([2, 3, 4, 5, 2], seed: 22), b = randomTensor([2, 3, 4, 5, 3], seed: 23)
        let y = blocks(concatenating: a, b)
        #expect(toleranceRatio(y, joined(Tensor.concatenateChannels(a, b)), atol: 1e-6) <= 1)
        let dy = randomTensor(y.shape, seed: 24)
        let parts = blocks.backwardBlocks(dy)
        let (da, db) = joined.backward(dy).splitChannels(at: 2)
        #expect(parts.count == 2)
        #expect(toleranceRatio(parts[0], da, atol: 1e-6) <= 1 && toleranceRatio(parts[1], db, atol: 1e-6) <= 1)
        #expect(toleranceRatio(blocks.weight.gradient, joined.weight.gradient, atol: 1e-5) <= 1)
    }

    @Test func groupNorm() {
        let norm = GroupNorm(groups: 2, channels: 4)
        norm.scale.value = randomTensor([4], seed: 3)
        norm.shift.value = randomTensor([4], seed: 4)
        let (worst, _) = gradientCheck(
            norm, input: randomTensor([2, 2, 3, 3, 4], seed: 5, scale: 2), seed: 6, step: 1e-2)
        #expect(worst <= 1)
    }

    @Test func rectifiedGroupNorm() {
        let norm = GroupNorm(groups: 2, channels: 4, rectified: true)
        norm.scale.value = Tensor(shape: [4], scalars: [1.2, -0.8, 0.9, 1.5])
        norm.shift.value = Tensor(shape: [4], scalars: [0.05, -0.1, 0.1, 0])
        // Each group holds ±(1 + 0.05k): mean 0, |x̂| ≥ 0.7, so with these γ and β every normalised
        // value stays at least 0.4 from ReLU's kink and ±step never crosses it.
        var generator = SeededGenerator(seed: 5)
        let magnitudes: [Float] = (0..<18).map { 1 + 0.05 * Float($0) }
        let group: [Float] = magnitudes + magnitudes.map { -$0 }
        let x = Tensor(shape: [2, 4, 2, 3, 3], scalars: (0..<4).flatMap { _ in group.shuffled(using: &generator) })
            .channelsLast()
        let y = norm(x)
        #expect(y.scalars.allSatisfy { $0 >= 0 } && y.scalars.contains(0) && y.scalars.contains { $0 > 0 })
        let (worst, _) = gradientCheck(norm, input: x, seed: 6, step: 1e-3)
        #expect(worst <= 1)
    }

    @Test func maxPool() {
        // Distinct values 0.1 apart, so ±step never changes a window's maximum.
        var generator = SeededGenerator(seed: 10)
        let values = (0..<96).map { Float($0) * 0.1 }.shuffled(using: &generator)
        let (worst, _) = gradientCheck(MaxPool3D(), input: Tensor(shape: [1, 2, 4, 6, 2], scalars: values), seed: 11)
        #expect(worst <= 1)
    }

    @Test func trilinearUpsample() {
        let (worst, _) = gradientCheck(TrilinearUpsample(), input: randomTensor([1, 2, 3, 4, 2], seed: 12), seed: 13)
        #expect(worst <= 1)
    }

    @Test func sigmoid() {
        let (worst, _) = gradientCheck(Sigmoid(), input: randomTensor([1, 1, 2, 3, 4], seed: 14, scale: 2), seed: 15)
        #expect(worst <= 1)
    }

    @Test func dropoutUsesTheSameMaskForwardAndBackward() {
        let dropout = Dropout(rate: 0.4, seed: 3)
        dropout.isActive = true
        let x = randomTensor([1, 2, 4, 4, 4], seed: 16)
        let y = dropout(x)
        let dx = dropout.backward(Tensor(repeating: 1, shape: x.shape))
        let dropped = y.scalars.filter { $0 == 0 }.count
        #expect(dropped > 30 && dropped < 75)
        for i in 0..<x.count {
            #expect(abs(y.scalars[i] - x.scalars[i] * dx.scalars[i]) <= 1e-6)
            #expect(dx.scalars[i] == 0 || abs(dx.scalars[i] - 1 / 0.6) < 1e-6)
        }
        dropout.isActive = false
        #expect(dropout(x) == x)
    }

    @Test func concatenationSplittingAndPooling() {
        let a = randomTensor([2, 2, 2, 3, 2], seed: 17), b = randomTensor([2, 2, 2, 3, 3], seed: 18)
        let joined = Tensor.concatenateChannels(a, b)
        #expect(joined.shape == [2, 2, 2, 3, 5])
        #expect(joined.channelsFirst().channelsLast() == joined)
        let (left, right) = joined.splitChannels(at: 2)
        #expect(left == a && right == b)
        let pooled = joined.globalAveragePool()
        let channelSeven = joined.channelsFirst().scalars[(7 * 12)..<(8 * 12)].reduce(0) { $0 + Double($1) } / 12
        #expect(abs(Double(pooled.scalars[7]) - channelSeven) < 1e-6)
    }

    @Test func lossGradientMatchesFiniteDifferences() {
        let logits = randomTensor([2, 1, 2, 3, 4], seed: 19, scale: 2)
        var generator = SeededGenerator(seed: 20)
        let target = Tensor(
            shape: logits.shape, scalars: (0..<logits.count).map { _ in generator.nextUnitDouble() < 0.4 ? 1 : 0 })
        let loss = DiceBCELoss(diceWeight: 0.8, bceWeight: 1.3)
        let (_, gradient) = loss(logits: logits, target: target)
        let step: Float = 1e-2
        for i in 0..<logits.count {
            var plus = logits, minus = logits
            plus.scalars[i] += step
            minus.scalars[i] -= step
            let numeric =
                (loss(logits: plus, target: target).loss - loss(logits: minus, target: target).loss) / Double(2 * step)
            // The loss is computed in double: only the O(step²) truncation error (~1e-5 here) remains.
            #expect(abs(numeric - Double(gradient.scalars[i])) <= 1e-4 + 1e-3 * abs(numeric))
        }
    }

    @Test func lossIsFiniteForExtremeLogits() {
        let logits = Tensor(shape: [1, 1, 1, 1, 4], scalars: [-200, 200, -200, 200])
        let target = Tensor(shape: [1, 1, 1, 1, 4], scalars: [0, 1, 1, 0])
        let (value, gradient) = DiceBCELoss()(logits: logits, target: target)
        #expect(value.isFinite && abs(value - (0.5 + 100)) < 1e-3)
        #expect(gradient.scalars.allSatisfy { $0.isFinite })
    }
}
