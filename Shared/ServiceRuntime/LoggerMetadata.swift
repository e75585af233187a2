import Logging

/// The metadata keys every ActiveSeg log line uses for the things a person filters by, so one
/// query finds an experiment's, a round's or a case's lines across all services.
extension Logger {
    /// The experiment id.
    public static let experimentKey = "experiment"
    /// The AL round index.
    public static let roundKey = "round"
    /// The case id.
    public static let caseIDKey = "case.id"
    /// The service name (e.g. `selector`) and the worker instance.
    public static let serviceKey = "service"
    public static let instanceKey = "instance"

    /// A copy of this logger whose lines carry the given experiment, round and case; nil arguments
    /// leave the metadata as it is.
    public func with(experiment: String? = nil, round: Int? = nil, caseID: String? = nil) -> Logger {
        var logger = self
        if let experiment { logger[metadataKey: Self.experimentKey] = "\(experiment)" }
        if let round { logger[metadataKey: Self.roundKey] = "\(round)" }
        if let caseID { logger[metadataKey: Self.caseIDKey] = "\(caseID)" }
        return logger
    }
}
