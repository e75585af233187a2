import SeededRandom
import Volume

/// Kinds of brain tumor in the synthetic cohort, with unequal prevalence.
///
/// Active learning only pays off when some cases teach the model more than others: the common
/// ring-enhancing and solid tumors are easy once a few are seen, while the rare small multifocal,
/// cystic-with-mural-nodule and faintly enhancing tumors are hard and a random sample of the pool
/// under-represents them. Non-enhancing tumors have an empty target.
public enum TumorSubtype: String, CaseIterable, Codable, Sendable {
    /// Enhancing rim around a necrotic core (glioblastoma-like); the most common.
    case ringEnhancing
    /// Homogeneously enhancing solid mass.
    case solidEnhancing
    /// T2-bright mass without enhancement: empty enhancing-tumor label.
    case nonEnhancing
    /// Two to four small enhancing foci (rare, hard: small targets, easily missed).
    case smallMultifocal
    /// A large non-enhancing cyst with a small enhancing nodule on its wall (rare, hard).
    case cysticMuralNodule
    /// Enhancement barely above white matter, close to the confounders (rare, hard).
    case faintEnhancing

    /// The share of the cohort drawn of this subtype; the shares sum to 1.
    public var prevalence: Double {
        switch self {
        case .ringEnhancing: 0.40
        case .solidEnhancing: 0.22
        case .nonEnhancing: 0.14
        case .smallMultifocal: 0.08
        case .cysticMuralNodule: 0.08
        case .faintEnhancing: 0.08
        }
    }

    /// Whether the subtype has an enhancing component (a non-empty target).
    public var enhances: Bool { self != .nonEnhancing }

    static func draw(_ generator: inout SeededGenerator) -> TumorSubtype {
        var remaining = generator.nextUnitDouble()
        for subtype in allCases {
            remaining -= subtype.prevalence
            if remaining < 0 { return subtype }
        }
        return .ringEnhancing
    }
}

extension SeededGenerator {
    /// A uniform draw from `range`.
    mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * nextUnitDouble()
    }

    /// A uniformly distributed unit vector.
    mutating func direction() -> SIMD3<Double> {
        while true {
            let v = SIMD3(nextGaussian(), nextGaussian(), nextGaussian())
            let length = (v * v).sum().squareRoot()
            if length > 1e-6 { return v / length }
        }
    }
}
