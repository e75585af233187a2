/// Voxel-wise uncertainty from several stochastic or independent predictions.
public struct UncertaintyMaps: Sendable {
    /// Mean foreground probability, `[1, 1, D, H, W]`.
    public var mean: Tensor
    /// Population variance of the probabilities over the predictions (divided by their count).
    public var variance: Tensor
    /// The mean of the predictions' feature vectors (deepest encoder output averaged over x, y, z).
    public var features: [Float]
    public var predictions: Int
}

extension Predictor {
    /// MC dropout (Gal and Ghahramani, 2016): `passes` forward passes with dropout on. The dropout
    /// masks are reseeded from `seed`, so the same seed gives the same maps. A network without
    /// dropout gives zero variance. The layers before the first dropout run once (see
    /// `predict(_:image:passes:phase:)`); with sliding windows the passes' blended maps are held at
    /// once, `passes` volume-sized float arrays.
    public func monteCarloDropout(_ network: UNet3D, image: Tensor, passes: Int = 10, seed: UInt64) -> UncertaintyMaps {
        precondition(passes >= 1)
        network.reseedDropout(seed)
        let (maps, features) = predict(network, image: image, passes: passes, phase: .sampling)
        var accumulator = MomentAccumulator()
        for map in maps { accumulator.add(map, features: features) }
        return accumulator.maps()
    }

    /// A bootstrap ensemble: one deterministic pass per member network.
    public func ensemble(_ networks: [UNet3D], image: Tensor) -> UncertaintyMaps {
        precondition(!networks.isEmpty)
        var accumulator = MomentAccumulator()
        for network in networks {
            let (p, f) = predict(network, image: image, phase: .evaluation)
            accumulator.add(p, features: f)
        }
        return accumulator.maps()
    }
}

/// Running voxel-wise mean and population variance of T probability maps (MC-dropout passes or
/// bootstrap members), added one map at a time so the T maps are never held together.
///
/// Welford's update (Welford 1962) keeps the running mean p̄ and the sum of squared deviations M₂,
///
///     δ = p_t − p̄_{t−1};  p̄_t = p̄_{t−1} + δ / t;  M₂ += δ · (p_t − p̄_t)
///
/// in double precision, which stays accurate where the textbook Σp² − (Σp)²/T cancels; the
/// variance is M₂ / T (numpy's `var`, ddof = 0), the map the uncertainty scores aggregate.
struct MomentAccumulator {
    private var count = 0
    private var mean: [Double] = []
    private var squares: [Double] = []
    private var shape: [Int] = []
    private var featureSum: [Double] = []

    mutating func add(_ probabilities: Tensor, features: [Float]) {
        if count == 0 {
            shape = probabilities.shape
            mean = [Double](repeating: 0, count: probabilities.count)
            squares = mean
            featureSum = [Double](repeating: 0, count: features.count)
        }
        count += 1
        let n = Double(count)
        for i in 0..<mean.count {
            let x = Double(probabilities.scalars[i])
            let delta = x - mean[i]
            mean[i] += delta / n
            squares[i] += delta * (x - mean[i])
        }
        for i in 0..<features.count { featureSum[i] += Double(features[i]) }
    }

    func maps() -> UncertaintyMaps {
        let n = Double(count)
        return UncertaintyMaps(
            mean: Tensor(shape: shape, scalars: mean.map { Float($0) }),
            variance: Tensor(shape: shape, scalars: squares.map { Float($0 / n) }),
            features: featureSum.map { Float($0 / n) }, predictions: count)
    }
}
