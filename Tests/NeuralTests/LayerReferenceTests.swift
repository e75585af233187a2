import SeededRandom
import Testing

@testable import Neural

/// Forward and backward passes match PyTorch 2.13 on fixed inputs (the layers' activations are
/// channels-last, PyTorch's vectors NCDHW).
@Suite struct LayerReferenceTests {
    let vectors = ReferenceVectors.load()

    @Test("Conv3D matches torch.nn.functional.conv3d", arguments: ["conv3x3x3", "conv3x3x3NoBias", "conv1x1x1"])
    func convolutionMatchesPyTorch(_ name: String) {
        let v = vectors.entry(name)
        let weight = v.tensor("weight")
        let hasBias = v.fields["bias"] != nil
        var generator = SeededGenerator(seed: 1)
        let conv = Conv3D(
            inChannels: weight.shape[1], outChannels: weight.shape[0], kernelSize: weight.shape[2],
            bias: hasBias, generator: &generator)
        conv.weight.value = weight
        if hasBias { conv.bias!.value = v.tensor("bias") }
        for threads in [1, 2] {
            ComputeThreads.$count.withValue(threads) {
                for p in conv.parameters { p.zeroGradient() }
                #expect(toleranceRatio(conv(v.tensor("input").channelsLast()), v.tensor("output").channelsLast()) <= 1)
                #expect(
                    toleranceRatio(
                        conv.backward(v.tensor("upstream").channelsLast()), v.tensor("inputGradient").channelsLast())
                        <= 1)
                #expect(toleranceRatio(conv.weight.gradient, v.tensor("weightGradient")) <= 1)
                if hasBias { #expect(toleranceRatio(conv.bias!.gradient, v.tensor("biasGradient")) <= 1) }
            }
        }
    }

    @Test func groupNormMatchesPyTorch() {
        let v = vectors.entry("groupNorm")
        let x = v.tensor("input").channelsLast()
        let norm = GroupNorm(groups: Int(v.number("groups")), channels: x.shape[4])
        norm.scale.value = v.tensor("scale")
        norm.shift.value = v.tensor("shift")
        #expect(toleranceRatio(norm(x), v.tensor("output").channelsLast()) <= 1)
        #expect(
            toleranceRatio(
                norm.backward(v.tensor("upstream").channelsLast()), v.tensor("inputGradient").channelsLast(), atol: 2e-5
            ) <= 1)
        #expect(toleranceRatio(norm.scale.gradient, v.tensor("scaleGradient")) <= 1)
        #expect(toleranceRatio(norm.shift.gradient, v.tensor("shiftGradient")) <= 1)
        norm.recordsForBackward = false
        #expect(toleranceRatio(norm(x), v.tensor("output").channelsLast()) <= 1)
    }

    @Test func trilinearUpsamplingMatchesPyTorch() {
        let v = vectors.entry("trilinearUpsample")
        let up = TrilinearUpsample()
        #expect(toleranceRatio(up(v.tensor("input").channelsLast()), v.tensor("output").channelsLast()) <= 1)
        #expect(
            toleranceRatio(up.backward(v.tensor("upstream").channelsLast()), v.tensor("inputGradient").channelsLast())
                <= 1)
    }

    @Test func maxPoolingMatchesPyTorch() {
        let v = vectors.entry("maxPool")
        let pool = MaxPool3D()
        #expect(pool(v.tensor("input").channelsLast()) == v.tensor("output").channelsLast())
        #expect(pool.backward(v.tensor("upstream").channelsLast()) == v.tensor("inputGradient").channelsLast())
    }

    @Test("Dice + BCE loss matches PyTorch autograd", arguments: ["loss", "lossWeighted", "lossBatchDice"])
    func lossMatchesPyTorch(_ name: String) {
        let v = vectors.entry(name)
        let loss = DiceBCELoss(
            diceWeight: v.number("diceWeight"), bceWeight: v.number("bceWeight"),
            pooledOverBatch: v.flag("pooledOverBatch"), smooth: v.number("smooth"))
        let (value, gradient) = loss(logits: v.tensor("logits"), target: v.tensor("target"))
        #expect(abs(value - v.number("loss")) <= 1e-6 * abs(v.number("loss")))
        #expect(toleranceRatio(gradient, v.tensor("gradient"), atol: 1e-7, rtol: 1e-4) <= 1)
    }

    @Test func sgdMatchesTorchOptimSGD() {
        let v = vectors.entry("sgd")
        let parameter = Parameter(v.tensor("initial"))
        let sgd = SGD(
            parameters: [parameter], learningRate: Float(v.number("learningRate")),
            momentum: Float(v.number("momentum")), weightDecay: Float(v.number("weightDecay")))
        for (gradient, expected) in zip(v.tensors("gradients"), v.tensors("weights")) {
            parameter.gradient = gradient
            sgd.step()
            #expect(toleranceRatio(parameter.value, expected, atol: 1e-6, rtol: 1e-5) <= 1)
            #expect(parameter.gradient.scalars.allSatisfy { $0 == 0 })
        }
    }

    @Test func cosineWarmRestartsMatchesPyTorch() {
        let v = vectors.entry("cosineWarmRestarts")
        let schedule = LearningRateSchedule.cosineWarmRestarts(
            base: v.number("base"), t0: v.number("t0"),
            tMult: v.number("tMult"), minimum: v.number("minimum"),
            warmupEpochs: 0)
        for (epoch, expected) in v.numbers("rates").enumerated() {
            #expect(abs(schedule.learningRate(epoch: Double(epoch)) - expected) <= 1e-12)
        }
    }

    @Test func warmupRisesLinearlyThenStartsTheCosine() {
        let schedule = LearningRateSchedule.cosineWarmRestarts(
            base: 0.01, t0: 10, tMult: 1, minimum: 0, warmupEpochs: 4)
        #expect(abs(schedule.learningRate(epoch: 0) - 0.0025) < 1e-12)
        #expect(abs(schedule.learningRate(epoch: 3) - 0.01) < 1e-12)
        #expect(abs(schedule.learningRate(epoch: 4) - 0.01) < 1e-12)
        #expect(abs(schedule.learningRate(epoch: 9) - 0.005) < 1e-12)
        #expect(abs(schedule.learningRate(epoch: 14) - 0.01) < 1e-12)
        #expect(LearningRateSchedule.constant(0.3).learningRate(epoch: 17) == 0.3)
    }
}
