extension ActiveSegSchema {
    /// Keeps how many foreground voxels each stored label holds, so round 0 can tell whether its
    /// annotations show a tumor (the foreground-aware cold start) without reading label files.
    static let labelVoxels = Migration(
        version: 3, name: "label voxels",
        sql: """
            -- Foreground voxels of the stored preprocessed label; NULL without a label, and for a
            -- case labelled before the count was kept.
            ALTER TABLE cases ADD COLUMN label_voxels bigint CHECK (label_voxels >= 0),
                ADD CONSTRAINT cases_label_voxels_need_label CHECK (label_voxels IS NULL OR label_sha256 IS NOT NULL);
            """)
}
