import Domain
import Proto

/// The limits of every field of an `ExperimentSpec` and its `HyperParameters`, in one place: the
/// orchestrator checks a spec against them at `Create`, and the trainer and scorer check the values
/// a job copies from a spec before computing, so a value the network cannot take fails its job
/// with the reason instead of stopping the worker at a precondition. The table under *Experiment
/// limits* in docs/services.md lists the same limits.
///
/// Upper bounds keep one request from planning unbounded work: every case count, round, member and
/// pass becomes jobs or inference passes. Each bound leaves an order of magnitude or more above the
/// paper's setting. A hyper-parameter left out takes the profile's value and is not checked; one
/// that is set is checked, 0 included where 0 means something (no momentum, no dropout).
///
/// Fields without a bound: `dataset_id` (a UUID), `strategy`, `restriction`, `profile` and
/// `annotation` (a named value; the orchestrator refuses an unset one as it converts them, and
/// random query with a restriction), `stop.at_equivalence`, `z_score_features` and
/// `hyper_parameters.augment` (any), and `test` (any; unset means paired).
public enum ExperimentSpecLimits {
    /// `name`: a label for listings, not a description.
    public static let name = FieldLimit<Int>(field: "name", range: 0...200, unit: "characters")

    /// `initial_cases` (n; the paper: 40): at least one case to train round 0 on; at most twenty
    /// times the paper's whole pool of 513 training cases. `Start` also needs that many training
    /// cases in the dataset.
    public static let initialCases = FieldLimit<UInt32>(field: "initial_cases", range: 1...10_000)

    /// `top_k` (K; the paper: 100): the candidates a restriction compares pairwise, so its cost grows
    /// with K²; at least `pick`.
    public static let topK = FieldLimit<UInt32>(field: "top_k", range: 1...10_000)

    /// `pick` (k; the paper: 50): at least one case per round; at most `top_k`.
    public static let pick = FieldLimit<UInt32>(field: "pick", range: 1...10_000)

    /// `stop.max_rounds` (the paper: 10): at least one round after round 0; each round trains and
    /// evaluates a model, and a hundred times the paper's rounds is more than any pool lasts.
    public static let maxRounds = FieldLimit<UInt32>(field: "stop.max_rounds", range: 1...1_000)

    /// `seeds`: the seeds of repetitions 0 through r, distinct; the experiment runs the last.
    public static let seeds = FieldLimit<Int>(field: "seeds", range: 1...100, unit: "seeds")

    /// `bootstrap_members` (the paper's code: 4): each member is one train job per round. The
    /// bootstrap strategy needs at least 2 for a variance; the others ignore the field.
    public static let bootstrapMembers = FieldLimit<UInt32>(field: "bootstrap_members", range: 0...32)

    /// `passes` (T; the paper: 10): each is a pass of the decoder layers after the dropout over the
    /// whole case, in every score job. The dropout strategies need at least 2 for a variance; the
    /// others ignore the field.
    public static let passes = FieldLimit<UInt32>(field: "passes", range: 0...1_000)

    /// The fewest ensemble members or dropout passes whose variance means anything.
    public static let leastSamples: UInt32 = 2

    /// `test_fraction` (the paper: 0.2): recorded with the experiment; the split itself is the
    /// dataset's, drawn at ingest. More than half would test on more patients than the pool offers.
    public static let testFraction = FieldLimit<Double>(field: "test_fraction", range: 0...0.5)

    /// `validation_fraction` (the paper: 0.2): more than half would fit each model on fewer cases
    /// than it is validated on.
    public static let validationFraction = FieldLimit<Double>(field: "validation_fraction", range: 0...0.5)

    /// `hyper_parameters.learning_rate` (the paper: 1e-3): SGD on this loss diverges long before 1,
    /// and below 1e-6 a run of thousands of steps moves no weight.
    public static let learningRate = FieldLimit<Double>(field: "hyper_parameters.learning_rate", range: 1e-6...1)

    /// `hyper_parameters.weight_decay` (the paper: 2e-5): far above any published U-Net setting; more
    /// shrinks the weights faster than the loss trains them.
    public static let weightDecay = FieldLimit<Double>(field: "hyper_parameters.weight_decay", range: 0...0.1)

    /// `hyper_parameters.momentum` (the profiles: 0.9): nnU-Net's 0.99 at most; at 1 the velocity
    /// never decays.
    public static let momentum = FieldLimit<Double>(field: "hyper_parameters.momentum", range: 0...0.99)

    /// `hyper_parameters.max_epochs` (the paper: 500): ten times the paper's run.
    public static let maxEpochs = FieldLimit<UInt32>(field: "hyper_parameters.max_epochs", range: 1...5_000)

    /// `hyper_parameters.early_stop_patience` (the paper: 50): as long as the longest run.
    public static let earlyStopPatience = FieldLimit<UInt32>(
        field: "hyper_parameters.early_stop_patience",
        range: 1...5_000)

    /// `hyper_parameters.patches_per_image` (the paper: 2): each patch is an SGD step per case and
    /// epoch.
    public static let patchesPerImage = FieldLimit<UInt32>(field: "hyper_parameters.patches_per_image", range: 1...64)

    /// `hyper_parameters.patch_edge` (the paper: 128): twice the paper's patch at most (a 256³ patch
    /// of the paper's network holds 2 GiB per 32-channel activation); besides, a multiple of the
    /// profile network's size divisor, which every pooling level halves exactly.
    public static let patchEdge = FieldLimit<UInt32>(field: "hyper_parameters.patch_edge", range: 1...256)

    /// `hyper_parameters.warm_restart_period`: at most the longest run.
    public static let warmRestartPeriod = FieldLimit<UInt32>(
        field: "hyper_parameters.warm_restart_period",
        range: 1...5_000)

    /// `hyper_parameters.dropout_rate` (the paper: 0.5): below 1, where inverted dropout's scale
    /// 1/(1 − p) is infinite; at most 0.9, beyond which the few kept activations are scaled tenfold
    /// or more.
    public static let dropoutRate = FieldLimit<Float>(field: "hyper_parameters.dropout_rate", range: 0...0.9)

    /// Checks every bounded field of `spec`, its hyper-parameters against `profile`'s network.
    public static func check(_ spec: ExperimentSpec, profile: ExperimentProfile) throws(LimitViolation) {
        try name.check(spec.name.count)
        try initialCases.check(spec.initialCases)
        try pick.check(spec.pick)
        try topK.check(spec.topK)
        guard spec.topK >= spec.pick else {
            throw LimitViolation(field: topK.field, value: "\(spec.topK)", limit: "at least pick (\(spec.pick))")
        }
        try maxRounds.check(spec.stop.maxRounds)
        try seeds.check(spec.seeds.count)
        guard Set(spec.seeds).count == spec.seeds.count else {
            throw LimitViolation(field: seeds.field, value: "\(spec.seeds)", limit: "distinct seeds")
        }
        try bootstrapMembers.check(spec.bootstrapMembers)
        if spec.strategy == .bootstrap {
            try atLeastTwo(spec.bootstrapMembers, bootstrapMembers, for: "the bootstrap strategy")
        }
        try passes.check(spec.passes)
        if Strategy(spec.strategy)?.usesDropoutPasses == true {
            try atLeastTwo(spec.passes, passes, for: "the dropout strategies")
        }
        try testFraction.check(spec.testFraction)
        try validationFraction.check(spec.validationFraction)
        try check(spec.hyperParameters, profile: profile)
    }

    /// Checks the optimisation settings a train job carries, those it sets; the patch edge against
    /// `profile`'s network.
    public static func check(_ parameters: HyperParameters, profile: ExperimentProfile) throws(LimitViolation) {
        if parameters.hasLearningRate { try learningRate.check(parameters.learningRate) }
        if parameters.hasWeightDecay { try weightDecay.check(parameters.weightDecay) }
        if parameters.hasMomentum { try momentum.check(parameters.momentum) }
        if parameters.hasMaxEpochs { try maxEpochs.check(parameters.maxEpochs) }
        if parameters.hasEarlyStopPatience { try earlyStopPatience.check(parameters.earlyStopPatience) }
        if parameters.hasPatchesPerImage { try patchesPerImage.check(parameters.patchesPerImage) }
        if parameters.hasPatchEdge {
            try patchEdge.check(parameters.patchEdge)
            let divisor = profile.network.sizeDivisor
            guard Int(parameters.patchEdge) % divisor == 0 else {
                throw LimitViolation(
                    field: patchEdge.field, value: "\(parameters.patchEdge)",
                    limit: "a multiple of \(divisor), the \(profile.name) network's size divisor")
            }
        }
        if parameters.hasWarmRestartPeriod { try warmRestartPeriod.check(parameters.warmRestartPeriod) }
        if parameters.hasDropoutRate { try dropoutRate.check(parameters.dropoutRate) }
    }

    /// `top_fraction` of a score job (the paper: 0.001): a share of the variance map's voxels.
    public static let topFraction = FieldLimit<Double>(field: "top_fraction", range: 1e-6...1)

    /// Checks the values a score job copies from its experiment.
    public static func check(_ job: ScoreJob) throws(LimitViolation) {
        try passes.check(job.passes)
        if job.hasTopFraction { try topFraction.check(job.topFraction) }
    }

    private static func atLeastTwo(
        _ value: UInt32, _ limit: FieldLimit<UInt32>, for users: String
    )
        throws(LimitViolation)
    {
        guard value >= leastSamples else {
            throw LimitViolation(field: limit.field, value: "\(value)", limit: "at least \(leastSamples) for \(users)")
        }
    }
}
