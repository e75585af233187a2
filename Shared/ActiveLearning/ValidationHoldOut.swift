/// How many of a model's annotated cases are held out for validation: the share rounded, at least
/// one and at most all but one when there are two or more, none for a single case.
///
/// The orchestrator's plans, the trainer's own split and the training benchmark all hold out by
/// this one rule, so a benchmarked model sees the split a comparison's model sees.
public enum ValidationHoldOut {
    public static func count(of cases: Int, fraction: Double) -> Int {
        cases < 2 ? 0 : min(cases - 1, max(1, Int((fraction * Double(cases)).rounded())))
    }
}
