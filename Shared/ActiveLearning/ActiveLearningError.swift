import Domain

/// A rejected scoring or selection input, with what a person needs to find it: `subject` names the
/// case, parameter or map the failure is about.
public typealias ActiveLearningError = CodedError<ActiveLearningErrorCode>

/// What kind of input an ``ActiveLearningError`` rejected:
/// - `invalidParameter`: a budget (K, k) or fraction outside its domain;
/// - `mismatchedSizes`: maps or feature vectors whose sizes disagree;
/// - `empty`: a map with no voxels, or an accumulator without samples;
/// - `nonFiniteValue`: NaN where a probability or score is required;
/// - `duplicateCase`: the same case id, or source name, twice among the candidates.
public enum ActiveLearningErrorCode: String, CodedErrorCode {
    case invalidParameter, mismatchedSizes, empty, nonFiniteValue, duplicateCase
}
