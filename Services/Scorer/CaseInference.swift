import ActiveLearning
import Neural
import Proto

/// The inference a score job's method calls for, reduced to what is stored: the score, the mean
/// probability map, the feature vector and the largest voxel-wise variance.
///
/// - dropout methods: `passes` stochastic passes of the one model with its dropout layer on,
///   the masks seeded by the job; score = mean of the top `topFraction` of the variance map;
/// - bootstrap: one deterministic pass per member; score = mean voxel-wise variance (the paper's
///   rule; its top-fraction variant is the dropout rule);
/// - margins: one deterministic pass; score = −mean |p − 0.5|;
/// - random: one deterministic pass for the features and the Dice; random query ranks nothing, so
///   the score is 0.
struct CaseInference {
    var score: Double
    var meanMap: [Float]
    var features: [Float]
    var maxVariance: Double

    init(method: UncertaintyMethod, networks: [UNet3D], image: Tensor, predictor: Predictor, passes: Int,
         topFraction: Double, seed: UInt64) throws {
        let voxels = image.count / image.shape[0]
        var samples = try SampleMapAccumulator(voxelCount: voxels)
        var featureSum: [Float] = []
        func add(_ prediction: (probabilities: Tensor, features: [Float])) throws {
            try samples.add(prediction.probabilities.scalars)
            featureSum = featureSum.isEmpty ? prediction.features : zip(featureSum, prediction.features).map(+)
        }
        switch method {
        case .dropoutTrainTest, .dropoutTest:
            let network = networks[0]
            network.reseedDropout(seed)
            for _ in 0..<passes { try add(predictor.predict(network, image: image, phase: .sampling)) }
            score = try UncertaintyScore.mcDropout(samples, fraction: topFraction)
        case .bootstrap:
            for network in networks { try add(predictor.predict(network, image: image)) }
            score = try UncertaintyScore.bootstrap(samples)
        case .margins:
            try add(predictor.predict(networks[0], image: image))
            score = try UncertaintyScore.margin(try samples.meanMap())
        default:
            try add(predictor.predict(networks[0], image: image))
            score = 0
        }
        meanMap = try samples.meanMap()
        features = featureSum.map { $0 / Float(samples.sampleCount) }
        maxVariance = Double(try samples.varianceMap().max() ?? 0)
    }
}
