/// Which work queue a job goes to: the trainers', or the scorers' (uncertainty, features and
/// test-split Dice are all score jobs). The raw values are the `jobs.kind` column's.
public enum JobKind: String, Sendable, Hashable, Codable, CaseIterable {
    case train, score
}
