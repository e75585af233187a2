/// The schema of ActiveSeg's state, as the ordered list of migrations that builds it.
///
/// Append new migrations with the next version; never edit one that has shipped:
/// ``PostgresClient/migrate(_:)`` refuses a recorded migration whose SQL changed.
public enum ActiveSegSchema {
    public static let migrations: [Migration] = [
        initialSchema, experimentSpec, labelVoxels, referenceEnsemble, jobWorker, preprocessingSteps, jobsByRound,
    ]
}
