import Domain

/// A failure of a statistics computation, with the context needed to find the offending input:
/// `subject` names the input the failure is about (a strategy, a round, a case id, a parameter
/// name).
public typealias StatisticsError = CodedError<StatisticsErrorCode>

/// What kind of input a ``StatisticsError`` rejected:
/// - `tooFewValues`: a sample or mask is too small for the requested quantity (e.g. a t-test on one
///   value);
/// - `mismatchedInputs`: two inputs that must describe the same cases or voxels do not;
/// - `invalidParameter`: a parameter is outside its domain (degrees of freedom ≤ 0, a probability
///   outside (0, 1), …);
/// - `nonFiniteValue`: a value is NaN or infinite where a finite number is required.
public enum StatisticsErrorCode: String, CodedErrorCode {
    case tooFewValues, mismatchedInputs, invalidParameter, nonFiniteValue
}
