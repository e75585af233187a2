extension ActiveSegSchema {
    /// Lets the full-data reference of a dataset and profile be an ensemble of models that differ
    /// only in their seed, as a round's bootstrap ensemble is one of resampled models: the member
    /// column names either kind of member, and a reference model trained alone becomes member 0.
    static let referenceEnsemble = Migration(
        version: 4, name: "reference ensemble",
        sql: """
            ALTER TABLE models RENAME COLUMN bootstrap_member TO ensemble_member;
            ALTER TABLE models DROP CONSTRAINT models_reference_is_single;
            DROP INDEX models_one_reference;
            UPDATE models SET ensemble_member = 0 WHERE is_full_data_reference;
            -- Every reference model is a numbered member; a round's single model has none.
            ALTER TABLE models ADD CONSTRAINT models_reference_is_member
                CHECK (NOT is_full_data_reference OR ensemble_member IS NOT NULL);
            CREATE UNIQUE INDEX models_one_per_reference_member
                ON models (dataset_id, profile, ensemble_member) WHERE is_full_data_reference;
            """)
}
