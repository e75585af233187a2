import Foundation

/// N4's sharpening of the log-intensity histogram (Sled, Zijdenbos & Evans 1998, kept by Tustison et
/// al. 2010): a bias field blurs the histogram of log intensities by the field's own distribution,
/// modelled as a Gaussian of width `fullWidthAtHalfMaximum`; deconvolving that Gaussian with a
/// Wiener filter gives the histogram of the unbiased image, and each voxel moves to the expected
/// unbiased value E[u | v] of its bin. Computed as ITK's `N4BiasFieldCorrectionImageFilter` does:
/// triangular Parzen binning, zero padding to a power of two at least twice the bin count, the
/// Gaussian and the mapping built by FFT.
struct HistogramSharpening: Sendable {
    let bins: Int
    let fullWidthAtHalfMaximum: Double
    let wienerNoise: Double
    /// The padded histogram's length: a power of two at least twice `bins`.
    private let padded: Int
    private let fourier: FourierTransform

    init(bins: Int, fullWidthAtHalfMaximum: Double, wienerNoise: Double) {
        self.bins = bins
        self.fullWidthAtHalfMaximum = fullWidthAtHalfMaximum
        self.wienerNoise = wienerNoise
        padded = Int(pow(2, (log(Double(bins)) / log(2.0)).rounded(.up) + 1) + 0.5)
        fourier = FourierTransform(count: padded)
    }

    /// The sharpened value of each of `values` (log intensities of the voxels inside the mask).
    func sharpened(_ values: [Float]) -> [Float] {
        var lowest = Float.infinity
        var highest = -Float.infinity
        for value in values {
            lowest = min(lowest, value)
            highest = max(highest, value)
        }
        guard highest > lowest else { return values }
        let (minimum, slope) = (Double(lowest), Double(highest - lowest) / Double(bins - 1))
        let mapping = expectedValues(
            histogram: histogram(values, minimum: minimum, slope: slope), minimum: minimum, slope: slope)
        return values.map { value in
            let position = (Double(value) - minimum) / slope
            let bin = Int(position)
            guard bin < bins - 1 else { return Float(mapping[bins - 1]) }
            return Float(mapping[bin] + (mapping[bin + 1] - mapping[bin]) * (position - Double(bin)))
        }
    }

    /// Counts with a triangular Parzen window: a value between two bin centres splits its unit
    /// between them.
    private func histogram(_ values: [Float], minimum: Double, slope: Double) -> [Double] {
        var counts = [Double](repeating: 0, count: bins)
        for value in values {
            let position = (Double(value) - minimum) / slope
            let bin = Int(position)
            let offset = position - Double(bin)
            if offset == 0 {
                counts[min(bin, bins - 1)] += 1
            } else if bin < bins - 1 {
                counts[bin] += 1 - offset
                counts[bin + 1] += offset
            }
        }
        return counts
    }

    /// E[u | v] at each bin centre, from the observed histogram v.
    private func expectedValues(histogram: [Double], minimum: Double, slope: Double) -> [Double] {
        let start = (padded - bins) / 2
        var observed = FourierSignal(count: padded)
        for (bin, count) in histogram.enumerated() { observed.real[start + bin] = count }
        fourier.apply(&observed, inverse: false)

        // The blurring Gaussian, in bins, centred on sample 0 with wrap-around.
        let width = fullWidthAtHalfMaximum / slope
        let exponentFactor = 4 * log(2.0) / (width * width)
        let scale = 2 * (log(2.0) / Double.pi).squareRoot() / width
        var gaussian = FourierSignal(count: padded)
        gaussian.real[0] = scale
        for n in 1...(padded / 2) {
            let value = scale * exp(-Double(n * n) * exponentFactor)
            gaussian.real[n] = value
            gaussian.real[padded - n] = value
        }
        gaussian.real[padded / 2] = scale * exp(-0.25 * Double(padded * padded) * exponentFactor)
        fourier.apply(&gaussian, inverse: false)

        // Wiener deconvolution: conj(F) / (|F|² + noise), whose real part filters the histogram.
        var unblurred = FourierSignal(count: padded)
        for n in 0..<padded {
            let (re, im) = (gaussian.real[n], gaussian.imaginary[n])
            let denominatorRe = re * re + im * im + wienerNoise
            let filter = re / denominatorRe
            unblurred.real[n] = observed.real[n] * filter
            unblurred.imaginary[n] = observed.imaginary[n] * filter
        }
        fourier.apply(&unblurred, inverse: true)
        let estimate = unblurred.real.map { max($0, 0) }

        // E[u | v] = (G ∗ (u · U)) / (G ∗ U).
        var numerator = FourierSignal(count: padded)
        var denominator = FourierSignal(count: padded)
        for n in 0..<padded {
            numerator.real[n] = (minimum + Double(n - start) * slope) * estimate[n]
            denominator.real[n] = estimate[n]
        }
        fourier.convolve(&numerator, withTransform: gaussian)
        fourier.convolve(&denominator, withTransform: gaussian)
        return (0..<bins).map { bin in
            let below = denominator.real[start + bin]
            return below != 0 ? numerator.real[start + bin] / below : 0
        }
    }
}

/// A complex signal, real and imaginary parts apart.
private struct FourierSignal {
    var real: [Double]
    var imaginary: [Double]

    init(count: Int) {
        real = [Double](repeating: 0, count: count)
        imaginary = [Double](repeating: 0, count: count)
    }
}

/// An in-place radix-2 FFT of one power-of-two length with its twiddle factors computed once,
/// unnormalised in both directions as vnl's (the sharpening only takes ratios and signs of its
/// results).
private struct FourierTransform: Sendable {
    let count: Int
    /// cos and sin of −2πk/count for k < count/2.
    private let cosines: [Double]
    private let sines: [Double]

    init(count: Int) {
        precondition(count > 1 && count & (count - 1) == 0, "a power-of-two length")
        self.count = count
        cosines = (0..<(count / 2)).map { cos(-2 * Double.pi * Double($0) / Double(count)) }
        sines = (0..<(count / 2)).map { sin(-2 * Double.pi * Double($0) / Double(count)) }
    }

    /// Multiplies the signal by `other` in the frequency domain and comes back.
    func convolve(_ signal: inout FourierSignal, withTransform other: FourierSignal) {
        apply(&signal, inverse: false)
        for n in 0..<count {
            let (a, b) = (signal.real[n], signal.imaginary[n])
            let (c, d) = (other.real[n], other.imaginary[n])
            signal.real[n] = a * c - b * d
            signal.imaginary[n] = a * d + b * c
        }
        apply(&signal, inverse: true)
    }

    /// The discrete Fourier transform with kernel exp(∓2πi nk/N), forward (−) or inverse (+).
    func apply(_ signal: inout FourierSignal, inverse: Bool) {
        var j = 0
        for i in 1..<count {
            var bit = count >> 1
            while j & bit != 0 {
                j ^= bit
                bit >>= 1
            }
            j |= bit
            if i < j {
                signal.real.swapAt(i, j)
                signal.imaginary.swapAt(i, j)
            }
        }
        var length = 2
        while length <= count {
            let step = count / length
            for start in stride(from: 0, to: count, by: length) {
                for k in 0..<(length / 2) {
                    let wr = cosines[k * step]
                    let wi = inverse ? -sines[k * step] : sines[k * step]
                    let (even, odd) = (start + k, start + k + length / 2)
                    let tr = signal.real[odd] * wr - signal.imaginary[odd] * wi
                    let ti = signal.real[odd] * wi + signal.imaginary[odd] * wr
                    signal.real[odd] = signal.real[even] - tr
                    signal.imaginary[odd] = signal.imaginary[even] - ti
                    signal.real[even] += tr
                    signal.imaginary[even] += ti
                }
            }
            length <<= 1
        }
    }
}
