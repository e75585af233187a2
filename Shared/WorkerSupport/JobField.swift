import Domain
import Foundation
import Profiles
import ServiceRuntime

/// Checks of job fields that make a job invalid (a permanent failure) rather than retryable.
public enum JobField {
    /// A job value outside ``ExperimentSpecLimits``: the permanent failure that names the field and
    /// its limit, recorded as the job's reason (and the experiment's) in place of a trap in the
    /// network.
    public static func refusal(_ violation: LimitViolation, jobID: String) -> RPCError {
        RPCError(
            .invalidArgument, violation.description,
            details: ["job.id": jobID, "field": violation.field, "limit": violation.limit])
    }
}
