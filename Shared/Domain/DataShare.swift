/// The share of a dataset's training split that an experiment has annotated: annotated cases over
/// the training cases, which the full-data model trains on in full.
///
/// It is the x-axis of every learning curve, the "data share" of a round event and the summary,
/// and the share at which a strategy first reaches equivalence, so the paper's "equivalent with
/// 16% of the data" means one thing everywhere. 0 when the split is empty.
public func dataShare(annotated: Int, of trainingCases: Int) -> Double {
    trainingCases > 0 ? Double(annotated) / Double(trainingCases) : 0
}
