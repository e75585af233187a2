import Foundation
import Testing

@testable import Neural

@Suite struct UNet3DTests {
    static let tiny = UNet3DConfig(
        inputChannels: 2, levels: 3, baseChannels: 8, convolutionsPerLevel: 2,
        groupNormGroups: 4, dropoutRate: 0.2, dropoutMode: .testOnly)

    @Test func sameSeedGivesBitIdenticalWeights() {
        let a = UNet3D(config: Self.tiny, seed: 42), b = UNet3D(config: Self.tiny, seed: 42),
            c = UNet3D(config: Self.tiny, seed: 43)
        #expect(zip(a.parameters, b.parameters).allSatisfy { $0.value == $1.value })
        #expect(!zip(a.parameters, c.parameters).allSatisfy { $0.value == $1.value })
        let conv = a.namedParameters.first { $0.name == "encoders.1.0.conv.weight" }!.parameter.value
        // He initialisation: standard deviation √(2 / fan-in), fan-in = 8·27.
        let std = (conv.scalars.reduce(0) { $0 + Double($1) * Double($1) } / Double(conv.count)).squareRoot()
        #expect(abs(std - (2.0 / 216).squareRoot()) < 0.01)
    }

    @Test func shapesAndFeatureVector() {
        let network = UNet3D(config: Self.tiny, seed: 1)
        let (logits, features) = network.forward(randomTensor([2, 2, 8, 12, 16], seed: 2), phase: .evaluation)
        #expect(logits.shape == [2, 1, 8, 12, 16])
        #expect(features.shape == [2, 32])
        #expect(features.scalars.allSatisfy { $0 >= 0 })
    }

    @Test(
        "network gradients match finite differences",
        arguments: [
            (UNet3DConfig.DropoutMode.none, UNet3DConfig.DropoutPlacement.lastDecoderBlock),
            (.trainAndTest, .lastDecoderBlock),
            (.trainAndTest, .everyDecoderBlock),
        ])
    func networkGradientMatchesFiniteDifferences(
        mode: UNet3DConfig.DropoutMode, placement: UNet3DConfig.DropoutPlacement
    ) {
        let config = UNet3DConfig(
            inputChannels: 2, levels: 2, baseChannels: 4, convolutionsPerLevel: 1,
            groupNormGroups: 2, dropoutRate: 0.3, dropoutPlacement: placement, dropoutMode: mode,
            convolutionBias: true)
        let network = UNet3D(config: config, seed: 5)
        let (image, label) = Phantoms.sphere(size: 4, radius: 1.5, seed: 6)
        let loss = DiceBCELoss()
        // Reseeding before every pass gives every pass the same dropout masks.
        func objective() -> Double {
            network.reseedDropout(8)
            return loss(logits: network.forward(image, phase: .training).logits, target: label).loss
        }
        network.reseedDropout(8)
        let (logits, _) = network.forward(image, phase: .training)
        network.backward(loss(logits: logits, target: label).gradient)
        var generator = SeededGeneratorForTests(seed: 7)
        var checked = 0
        for (name, parameter) in network.namedParameters {
            let analytic = parameter.gradient
            for _ in 0..<3 {
                let i = Int(generator.unit() * Double(parameter.value.count))
                let original = parameter.value.scalars[i]
                let step: Float = 1e-2
                parameter.value.scalars[i] = original + step
                let plus = objective()
                parameter.value.scalars[i] = original - step
                let minus = objective()
                parameter.value.scalars[i] = original
                let numeric = (plus - minus) / Double(2 * step)
                // Float32 forward through six layers; see gradientCheck for the tolerance's derivation.
                #expect(abs(numeric - Double(analytic.scalars[i])) <= 5e-3 + 2e-2 * abs(numeric), "\(name)[\(i)]")
                checked += 1
            }
        }
        #expect(checked == network.namedParameters.count * 3)
    }

    @Test("a tiny network overfits one sphere", arguments: Precision.allCases)
    func tinyNetworkOverfitsOneSphere(precision: Precision) {
        let (image, label) = Phantoms.sphere(size: 16, radius: 5, seed: 3)
        let network = UNet3D(config: Self.tiny, seed: 4)
        network.precision = precision
        let optimizer = SGD(parameters: network.parameters, learningRate: 0.05, momentum: 0.9, weightDecay: 0)
        let loss = DiceBCELoss()
        for _ in 0..<60 {
            let (logits, _) = network.forward(image, phase: .training)
            network.backward(loss(logits: logits, target: label).gradient)
            optimizer.step()
        }
        let probabilities = network.forward(image, phase: .evaluation).logits.sigmoid()
        #expect(Trainer.dice(probabilities: probabilities.scalars, label: label.scalars.map { UInt8($0) }) >= 0.95)
    }

    @Test func seededTrainingIsReproducible() {
        let (image, label) = Phantoms.sphere(size: 8, radius: 2.5, seed: 3)
        func train() -> [Tensor] {
            let config = UNet3DConfig(levels: 2, baseChannels: 4, groupNormGroups: 2, dropoutMode: .trainAndTest)
            let network = UNet3D(config: config, seed: 9)
            let optimizer = SGD(parameters: network.parameters, learningRate: 0.01)
            for _ in 0..<3 {
                let (logits, _) = network.forward(image, phase: .training)
                network.backward(DiceBCELoss()(logits: logits, target: label).gradient)
                optimizer.step()
            }
            return network.parameters.map(\.value)
        }
        ComputeThreads.$count.withValue(1) { #expect(train() == train()) }
        ComputeThreads.$count.withValue(2) { #expect(train() == train()) }
    }
}
