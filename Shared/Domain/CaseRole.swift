/// A case's part in a score job, which decides what the scorer records from the same inference.
///
/// The orchestration core assigns it when it plans a round's jobs, so a worker never has to look
/// up whether a training case was picked before.
public enum CaseRole: String, Sendable, Hashable, Codable, CaseIterable {
    /// A pool case of a round after round 0: its uncertainty score and features, for selection.
    case candidate
    /// An annotated case under the non-similar restriction: its features only, for the candidates
    /// to be compared with.
    case annotated
    /// A test-split case: the model's Dice against its label. No other role reads a label, since
    /// pool cases of oracle experiments have labels the selection must not see.
    case test
}
