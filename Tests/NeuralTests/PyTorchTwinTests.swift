import Foundation
import Testing

@testable import Neural

/// A checkpoint written by PyTorch (scripts/vectors/neural_unet_reference.py, torch 2.13.0+cpu) with
/// the module layout docs/neural-engine-figures.md documents loads here and gives PyTorch's logits and gradients.
@Suite struct PyTorchTwinTests {
    @Test func pytorchCheckpointLoadsAndMatchesForwardAndBackward() throws {
        let checkpoint = try #require(
            Bundle.module.url(forResource: "unet_reference", withExtension: "safetensors", subdirectory: "Vectors"))
        let loaded = try Checkpoint.load(from: checkpoint)
        #expect(loaded.metadata == ["source": "pytorch twin"])
        let network = loaded.network
        #expect(
            network.config
                == UNet3DConfig(
                    inputChannels: 2, levels: 3, baseChannels: 4, convolutionsPerLevel: 2,
                    groupNormGroups: 2, dropoutRate: 0.5, dropoutMode: .testOnly, convolutionBias: true))

        let url = try #require(
            Bundle.module.url(forResource: "unet_reference", withExtension: "json", subdirectory: "Vectors"))
        let v = ReferenceVectors.Entry(
            fields: try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any])
        let (logits, _) = network.forward(v.tensor("input"), phase: .training)
        #expect(toleranceRatio(logits, v.tensor("logits"), atol: 1e-5, rtol: 1e-4) <= 1)
        let (loss, gradient) = DiceBCELoss()(logits: logits, target: v.tensor("label"))
        #expect(abs(loss - v.number("loss")) < 1e-5)
        network.backward(gradient)
        let gradients = v.fields["gradients"] as! [String: [String: Any]]
        #expect(gradients.count == network.namedParameters.count)
        for (name, parameter) in network.namedParameters {
            let reference = try #require(gradients[name], "\(name) missing from the reference")
            let first = (reference["first"] as! [NSNumber]).map(\.floatValue)
            let norm = (reference["norm"] as! NSNumber).doubleValue
            let ours = parameter.gradient.scalars
            let ourNorm = ours.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
            #expect(abs(ourNorm - norm) <= 1e-4 * norm + 1e-6, "\(name) gradient norm")
            for (a, b) in zip(ours, first) {
                #expect(abs(a - b) <= 1e-5 + 1e-3 * abs(b), "\(name)")
            }
        }
    }
}
