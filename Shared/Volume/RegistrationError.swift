import Foundation

/// Why a registration was judged to have failed.
///
/// The paper left out the cases whose T2 could not be registered to T1c, so a failure is detected
/// and reported rather than returning a transform that moves T2 somewhere wrong. The error carries
/// the metric and overlap it was judged on, for the person deciding whether to exclude the case.
public struct RegistrationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The fixed mask is empty, or an image is too small (under 4 voxels along an axis) to register.
        public static let unusableInput = Code("unusableInput")
        /// Too little of the fixed mask lands on the moved image (at the start, or at the end below
        /// `Configuration.minimumOverlap`).
        public static let tooLittleOverlap = Code("tooLittleOverlap")
        /// The metric or its gradient became NaN or infinite.
        public static let nonFiniteMetric = Code("nonFiniteMetric")
        /// The final metric is worse than the starting one.
        public static let metricNotImproved = Code("metricNotImproved")
        /// The parameters left the plausible range (`maximumRotation`, `maximumTranslation`).
        public static let diverged = Code("diverged")
    }

    public var code: Code
    /// What went wrong, for a person.
    public var detail: String
    /// −MI (nats) where the registration stopped, when it could be computed.
    public var metric: Double?
    /// The fraction of the fixed mask's samples that land on the moved image's nonzero voxels there.
    public var overlap: Double?
    /// The moving image's file, when known.
    public var file: String?

    public init(_ code: Code, detail: String, metric: Double? = nil, overlap: Double? = nil, file: String? = nil) {
        self.code = code
        self.detail = detail
        self.metric = metric
        self.overlap = overlap
        self.file = file
    }

    public var description: String {
        var text = "registration failed (\(code)): \(detail)"
        if let metric { text += "; metric \(String(format: "%.4f", metric))" }
        if let overlap { text += "; overlap \(String(format: "%.1f", overlap * 100))%" }
        return (file.map { "\($0): " } ?? "") + text
    }
}
