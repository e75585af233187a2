import ActiveLearning

/// The fixed test split of a dataset, drawn per patient.
///
/// Patient-level means the split never separates a patient's cases, so no model is tested on a
/// patient it has seen in training. In BraTS-style data every case is one patient (the case folder
/// is the patient), so the patient id is the case's source name and the split is one of cases.
///
/// The draw depends only on the set of patients and the seed: the eligible patient ids are sorted,
/// shuffled with the seeded random-query order, and the first round(share × count) form the test
/// split. A patient is eligible only when all its cases are labelled, because every round's model
/// is evaluated on the test split's labels.
enum TestSplit {
    /// The test patients among `eligiblePatients` (duplicates count once).
    static func testPatients(_ eligiblePatients: [String], share: Double, seed: UInt64) throws -> Set<String> {
        let patients = Array(Set(eligiblePatients))
        let count = Int((share * Double(patients.count)).rounded())
        return Set(try RandomQuery.select(patients, count: count, seed: seed))
    }
}
