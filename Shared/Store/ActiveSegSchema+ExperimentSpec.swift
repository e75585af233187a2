extension ActiveSegSchema {
    /// Keeps an experiment's whole specification as sent, so settings without a column of their own
    /// (hyper-parameters, validation share, z-scoring, the t-test, the list of seeds) survive a
    /// restart and an experiment can be rerun exactly.
    static let experimentSpec = Migration(
        version: 2, name: "experiment specification",
        sql: """
            -- The serialized activeseg.v1.ExperimentSpec; the columns above remain the queried copy.
            ALTER TABLE experiments ADD COLUMN spec bytea NOT NULL DEFAULT ''::bytea;
            """)
}
