import Foundation

/// A seeded random number generator (xoshiro256**, seeded through SplitMix64).
///
/// Active learning experiments must be reproducible: the same seed gives the same initial set, the
/// same random query, the same weight initialisation and the same synthetic cohort on every machine.
/// Swift's `SystemRandomNumberGenerator` cannot be seeded, so every seeded draw in ActiveSeg goes
/// through this type. The algorithm is Blackman and Vigna's xoshiro256** (2018), whose state is
/// expanded from the 64-bit seed with SplitMix64 as its authors recommend.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (nextSplitMix(), nextSplitMix(), nextSplitMix(), nextSplitMix())
    }

    /// A generator for an independent stream derived from this seed and a label, so that, for
    /// example, bootstrap member 3 of round 2 gets its own reproducible sequence.
    public init(seed: UInt64, stream: UInt64) {
        self.init(seed: seed &+ (stream &+ 1) &* 0xD1B5_4A32_D192_ED03)
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, by: 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotateLeft(state.3, by: 45)
        return result
    }

    /// A uniform `Double` in [0, 1) from the top 53 bits.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal draw (Box–Muller); used for He initialisation, noise and deformations.
    public mutating func nextGaussian() -> Double {
        var u1 = nextUnitDouble()
        while u1 <= .leastNonzeroMagnitude { u1 = nextUnitDouble() }
        let u2 = nextUnitDouble()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    private func rotateLeft(_ x: UInt64, by k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}
