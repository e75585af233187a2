/// The steps of an active-learning round, in the order the `rounds` table allows them.
///
/// A later round first scores the pool with the previous round's models, then selects; round 0
/// starts at selecting its random initial set. The picks are then annotated, the round's model is
/// trained and evaluated on the test split, and the equivalence test with the full-data model
/// finishes the round in the same step as the evaluation's last result. The raw values are the
/// `rounds.phase` column's.
public enum RoundPhase: String, Sendable, Hashable, Codable, CaseIterable {
    case scoring, selecting, annotating, training, evaluating, finished
}
