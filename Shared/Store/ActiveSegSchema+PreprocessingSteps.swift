extension ActiveSegSchema {
    /// Keeps the optional preprocessing steps each case went through (skull stripping, registration,
    /// bias field correction), so a label imported later and a prediction preprocess it the same way.
    static let preprocessingSteps = Migration(
        version: 6, name: "preprocessing steps",
        sql: """
            -- The steps' names in the order they ran, comma-separated ('skull-strip,register,n4');
            -- empty for none, as for every case ingested before the steps existed.
            ALTER TABLE cases ADD COLUMN preprocessing_steps text NOT NULL DEFAULT '';
            """)
}
