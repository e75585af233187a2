/// The named size of a run: which network, patch, cohort and round counts every job of an
/// experiment uses (`ExperimentProfile` holds what each name means).
///
/// The raw values are the names people type, the `experiments.profile` column's CHECK values and
/// the key of the full-data model a dataset shares across experiments of one profile.
public enum ProfileName: String, Sendable, Hashable, Codable, CaseIterable {
    /// The paper's 1 mm, 128³-patch network, for a GPU-class machine and real BraTS data.
    case paper
    /// The two-core CPU demo.
    case cpu
    /// Seconds per job, for tests.
    case tiny
}
