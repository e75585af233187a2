/// The side of a dataset's fixed test split a case is on. The test split is drawn once at ingest
/// (by patient, with the dataset's split seed) and never trained on; every experiment's pool and
/// the full-data model come from the training side. The raw values are the `cases.split` column's.
public enum DataSplit: String, Sendable, Hashable, Codable, CaseIterable {
    case train
    case test
}
