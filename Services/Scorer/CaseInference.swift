import ActiveLearning
import Neural
import Proto

/// The inference a score job calls for, reduced to what is stored: the score, the mean
/// probability map, the feature vector and the largest voxel-wise variance.
///
/// Scoring a pool case follows the job's method:
/// - dropout methods: `passes` stochastic passes of the one model with its dropout layer on, the
///   masks seeded by the job (Neural runs the layers before the dropout once and only the rest per
///   pass); score = mean of the top `topFraction` of the population variance map, the rule of
///   `UncertaintyScore.mcDropout`;
/// - bootstrap: one deterministic pass per member; score = mean voxel-wise variance (the paper's
///   rule of `UncertaintyScore.bootstrap`);
/// - margins: one deterministic pass; score = −mean |p − 0.5|;
/// - random: one deterministic pass for the features; random query ranks nothing, so the score
///   is 0.
///
/// Evaluating a test case does not: it is one deterministic pass per model, dropout off, and the
/// members' mean for an ensemble (``evaluation(networks:image:predictor:)``). The Dice then
/// measures the model rather than the uncertainty method, and the full-data model, whose
/// evaluation jobs the first experiment to need them plans with its own method, scores the same
/// whichever experiment that is.
struct CaseInference {
    var score: Double
    var meanMap: [Float]
    var features: [Float]
    var maxVariance: Double

    init(
        method: UncertaintyMethod, networks: [UNet3D], image: Tensor, predictor: Predictor, passes: Int,
        topFraction: Double, seed: UInt64
    ) throws {
        switch method {
        case .dropoutTrainTest, .dropoutTest:
            let maps = predictor.monteCarloDropout(networks[0], image: image, passes: passes, seed: seed)
            self.init(
                maps: maps,
                score: try UncertaintyScore.mcDropout(variance: maps.variance.scalars, fraction: topFraction))
        case .bootstrap:
            let maps = predictor.ensemble(networks, image: image)
            self.init(maps: maps, score: try UncertaintyScore.bootstrap(variance: maps.variance.scalars))
        case .margins:
            let maps = predictor.ensemble([networks[0]], image: image)
            self.init(maps: maps, score: try UncertaintyScore.margin(maps.mean.scalars))
        default:
            self.init(maps: predictor.ensemble([networks[0]], image: image), score: 0)
        }
    }

    /// A test case's segmentation by the model set, for its Dice: one deterministic pass per
    /// network, averaged; the score is 0.
    static func evaluation(networks: [UNet3D], image: Tensor, predictor: Predictor) -> CaseInference {
        CaseInference(maps: predictor.ensemble(networks, image: image), score: 0)
    }

    private init(maps: UncertaintyMaps, score: Double) {
        self.score = score
        meanMap = maps.mean.scalars
        features = maps.features
        maxVariance = Double(maps.variance.scalars.max() ?? 0)
    }
}
