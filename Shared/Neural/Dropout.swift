import SeededRandom

/// Element-wise (inverted) dropout: zeroes each element with probability `rate` and scales the rest
/// by `1 / (1 − rate)`.
///
/// `isActive` is set by the network, not by a global train/eval flag, so that MC-dropout inference
/// can keep it on at test time while other layers behave as in evaluation.
public final class Dropout: RecordingLayer {
    public let rate: Float
    public var isActive = false
    /// The draws come from this generator, so a seeded run drops the same elements every time.
    public var generator: SeededGenerator
    public var recordsForBackward = true
    private var mask: [Float]?

    public init(rate: Float, seed: UInt64) {
        precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1)")
        self.rate = rate
        generator = SeededGenerator(seed: seed)
    }

    public func callAsFunction(_ x: consuming Tensor) -> Tensor {
        guard isActive, rate > 0 else {
            mask = nil
            return x
        }
        let keep = 1 / (1 - rate)
        let threshold = UInt64(Double(rate) * Double(1 << 32))
        var m = [Float](repeating: 0, count: x.count)
        for i in 0..<m.count where (generator.next() >> 32) >= threshold { m[i] = keep }
        x.scalars.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] *= m[i] }
        }
        mask = recordsForBackward ? m : nil
        return x
    }

    public func backward(_ dy: consuming Tensor) -> Tensor {
        guard let mask else { return dy }
        dy.scalars.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] *= mask[i] }
        }
        return dy
    }
}
