import Foundation

/// Reference values committed under `Vectors/`, made by scripts/vectors/statistics_vectors.py
/// (scipy, statsmodels, numpy; versions inside each file).
enum ReferenceVectors {
    static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Vectors") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Vectors/\(name).json"])
        }
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }
}

struct StudentTVectors: Decodable {
    struct CDF: Decodable, Sendable { var df, t, cdf, sf: Double }
    struct Quantile: Decodable, Sendable { var df, p, t: Double }
    var cdf: [CDF]
    var quantile: [Quantile]
    static let all: StudentTVectors = try! ReferenceVectors.load("student_t", as: StudentTVectors.self)
}

struct TOSTVector: Decodable, Sendable {
    var design: String
    var first: [Double]
    var second: [Double]
    var low: Double
    var high: Double
    var p: Double
    /// statsmodels' (t, p, df) of the lower and the upper one-sided test.
    var lower: [Double]
    var upper: [Double]
    /// statsmodels' 90% interval (lower, upper) of the mean difference, `tconfint_mean` /
    /// `tconfint_diff` at alpha 0.1.
    var interval90: [Double]

    static let all: [TOSTVector] = {
        struct File: Decodable { var cases: [TOSTVector] }
        return try! ReferenceVectors.load("tost", as: File.self).cases
    }()
}

/// scipy's `t.interval(level, n − 1, mean, sem)` of the mean of `values`.
struct MeanIntervalVector: Decodable, Sendable {
    var values: [Double]
    var level: Double
    var mean, lower, upper: Double

    static let all: [MeanIntervalVector] = {
        struct File: Decodable { var cases: [MeanIntervalVector] }
        return try! ReferenceVectors.load("mean_intervals", as: File.self).cases
    }()
}

/// The fewest test cases n with 2 · t(1 − α; 2n − 2) · sd · √(2/n) ≤ margin, by scipy's `t.ppf`.
struct TestSplitSizeVector: Decodable, Sendable {
    var sd, margin, alpha: Double
    var n: Int

    static let all: [TestSplitSizeVector] = {
        struct File: Decodable { var cases: [TestSplitSizeVector] }
        return try! ReferenceVectors.load("test_split_sizes", as: File.self).cases
    }()
}

struct MaskVector: Decodable, Sendable {
    var dimensions: [Int]
    var spacing: [Double]
    /// Foreground voxel indices, x fastest.
    var prediction: [Int]
    var reference: [Int]
    var dice: Double
    var hd95: Double

    static let all: [MaskVector] = {
        struct File: Decodable { var cases: [MaskVector] }
        return try! ReferenceVectors.load("masks", as: File.self).cases
    }()
}

struct SummaryVector: Decodable, Sendable {
    var values: [Double]
    var mean, median, sd, se: Double

    static let all: [SummaryVector] = {
        struct File: Decodable { var cases: [SummaryVector] }
        return try! ReferenceVectors.load("summaries", as: File.self).cases
    }()
}
