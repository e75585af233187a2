import ActiveLearning
import Foundation
import Logging
import Neural
import Profiles
import Proto
import Statistics
import SyntheticData
import Volume

/// Training reliability of a profile: for every training-set size a default comparison trains
/// (round 0 through the full-data model) and several seeds each, it trains a model exactly as the
/// trainer service does (the profile's network, recipe, validation hold-out and inference), scores
/// it on a fixed test split and prints the test Dice across seeds and whether any model collapsed
/// to all-background.
///
///     swift run -c release training-benchmark [--profile cpu] [--cases 170] [--test 120] [--seeds 10] [--first-seed 0]
///         [--sizes 8,16,24,32,50] [--dropout] [--workers 2] [--precision fp32|bf16] [--cohort DIR] [--template DIR]
///         [--epochs N] [--iterations N] [--iterations-per-case X] [--batch N] [--lr X] [--foreground X] [--bce-weight X] [--dropout-rate X]
///         [--restart-period N] [--selection final|best] [--base-channels N] [--patch N] [--mirror] [--cohort-seed N]
///         [--minimum-volume MM3] [--minimum-volumes 0,10,20,...] [--tumor-share X] [--ensemble K]
///         [--sampling-region target|tumor|target-else-tumor]
///
/// The cohort is the demo's synthetic one (seed 1), generated into `--cohort` (default
/// `.stack/training-benchmark-<profile>-<cases>`) on first use. `--dropout` trains with the
/// dropout-train-test method's dropout layer. `--workers` trains that many models at once, each on
/// its share of the cores, as that many trainer processes would. The recipe options override the
/// profile's setting of that name, to measure a candidate before it goes into the profile. Each
/// model's line counts the tumor-free test cases predicted empty (the only way such a case scores
/// above 0) next to the mean Dice over the tumor-bearing ones. `--mirror` also scores every model
/// with test-time mirroring (`Predictor.mirroring`), side by side on the same models.
/// `--minimum-volumes` also scores every model with each minimum tumor volume (voxels at the
/// profile's spacing): a prediction of fewer voxels in all is emptied, as BraTS entries do with the
/// enhancing tumor; `--minimum-volume` overrides the profile's own (mm³). `--cohort-seed` generates another cohort than the demo's, for choosing such a
/// setting on cases the demo does not test on. Each training set is a seeded random draw of its
/// size, extended along the same draw by the profile's foreground-aware cold start (``ColdStart``)
/// as round 0 is, until the share of its size given by `--tumor-share` (the profile's by default;
/// 0 draws no more) holds a tumor of the minimum volume; a model's line gives the cases it drew.
/// `--ensemble K` groups each size's models by seed into sets of K and scores each set two ways as
/// a full-data reference could be built from it: the probability ensemble (the mean of the members'
/// probability maps, segmented by the profile's rule, as nnU-Net ensembles its folds) and the seed
/// mean (each test case's Dice averaged over the members), each with its mean Dice, SD over the
/// test cases and margin ±2Δ, beside the members' own. `--sampling-region` says where foreground
/// patches are centred: on the target (the enhancing tumor, the default), on the whole annotated
/// tumor (every non-zero BraTS label, as nnU-Net samples every class), or on the target where the
/// case has one and on the whole tumor where it has none (a tumor that does not enhance).

let arguments = Array(CommandLine.arguments.dropFirst())

func value(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    return arguments[i + 1]
}

func integer(_ name: String, default fallback: Int) -> Int { value(name).flatMap(Int.init) ?? fallback }

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("training-benchmark: \(message)\n".utf8))
    exit(2)
}

var profile: ExperimentProfile
do { profile = try ExperimentProfile(named: value("--profile") ?? "cpu") } catch { fail("\(error)") }
// Recipe overrides, for measuring a candidate setting before it goes into the profile.
if let epochs = value("--epochs").flatMap(Int.init) {
    profile.training.maximumEpochs = epochs
    profile.training.patience = epochs
}
if let iterations = value("--iterations").flatMap(Int.init) {
    profile.training.iterationsPerEpoch = iterations > 0 ? iterations : nil
}
if let perCase = value("--iterations-per-case").flatMap(Double.init) {
    profile.training.iterationsPerTrainingCase = perCase > 0 ? perCase : nil
}
if let rate = value("--lr").flatMap(Double.init) { profile.training.learningRate = rate }
if let share = value("--foreground").flatMap(Double.init) { profile.training.foregroundFraction = share }
if let rate = value("--dropout-rate").flatMap(Float.init) { profile.training.dropoutRate = rate }
if let period = value("--restart-period").flatMap(Int.init) { profile.training.warmRestartPeriod = period }
if let selection = value("--selection") {
    profile.training.selection = selection == "final" ? .finalEpoch : .bestValidation
}
if let volume = value("--minimum-volume").flatMap(Double.init) { profile.inference.minimumTumorVolume = volume }
if let width = value("--base-channels").flatMap(Int.init) { profile.network.baseChannels = width }
if let edge = value("--patch").flatMap(Int.init) { profile.training.patchEdge = edge }
if let share = value("--tumor-share").flatMap(Double.init) { profile.activeLearning.initialTumorShare = share }
let bceWeight = value("--bce-weight").flatMap(Double.init)
if let batch = value("--batch").flatMap(Int.init) { profile.training.batchSize = batch }
let comparesMirroring = arguments.contains("--mirror")
if let precision = value("--precision") {
    guard let value = Precision(rawValue: precision) else { fail("--precision takes fp32 or bf16") }
    profile.precision = value
}
let defaults = profile.activeLearning
let caseCount = integer("--cases", default: 170)
let testCount = integer("--test", default: 120)
let seeds = integer("--seeds", default: 10)
// A repetition of the table trains other seeds: `--first-seed 10 --seeds 10` trains seeds 10–19.
let firstSeed = integer("--first-seed", default: 0)
let workers = max(1, integer("--workers", default: ProcessInfo.processInfo.activeProcessorCount))
let trainsWithDropout = arguments.contains("--dropout")
let cohortSeed = integer("--cohort-seed", default: 1)
let ensembleSize = integer("--ensemble", default: 0)
let samplingRegion = value("--sampling-region") ?? "target"
guard ["target", "tumor", "target-else-tumor"].contains(samplingRegion) else {
    fail("--sampling-region takes target, tumor or target-else-tumor")
}
let minimumVolumes = value("--minimum-volumes").map { $0.split(separator: ",").compactMap { Int($0) } } ?? []
let cohortFolder = URL(
    fileURLWithPath: value("--cohort")
        ?? ".stack/training-benchmark-\(profile.name)-\(caseCount)\(cohortSeed == 1 ? "" : "-seed\(cohortSeed)")")
let logger = Logger(label: "training-benchmark")

// The cohort, generated once and then read back like ingest reads it.
if !FileManager.default.fileExists(atPath: cohortFolder.appendingPathComponent("cohort.json").path) {
    let anatomy: CohortAnatomy = value("--template").map { .template(folder: URL(fileURLWithPath: $0)) } ?? .phantom
    do {
        _ = try SyntheticCohort.generate(
            cases: caseCount, seed: UInt64(cohortSeed), outputDirectory: cohortFolder, anatomy: anatomy,
            spacingScale: profile.syntheticSpacingScale)
    } catch { fail("cannot generate the cohort: \(error)") }
}
let importer = CaseImporter(
    preprocessor: Preprocessor(PreprocessingConfiguration(spacing: SIMD3(repeating: profile.targetSpacing))),
    logger: logger)
let sources: [CaseSource]
do { sources = try BraTSDataset.discover(root: cohortFolder).compactMap { try? $0.get() } } catch { fail("\(error)") }

// Each case's tumor subtype, for the Dice per subtype; an unknown name is "other".
let subtypes: [String: String]
do {
    let summary = try JSONDecoder().decode(
        CohortSummary.self,
        from: Data(contentsOf: cohortFolder.appendingPathComponent("cohort.json")))
    subtypes = Dictionary(uniqueKeysWithValues: summary.cases.map { ($0.id, $0.subtype.rawValue) })
} catch { fail("cannot read the cohort's cohort.json: \(error)") }

let importStart = Date()
var imported: [TrainingCase] = []  // named by their source names
var labelVoxels: [String: Int] = [:]  // by source name, as ingest stores them
for source in sources.sorted(by: { $0.id < $1.id }) {
    guard let case_ = try? importer.importCase(source), let label = case_.label else { continue }
    let shape = case_.t1c.shape
    let image = Tensor(shape: [2, shape.z, shape.y, shape.x], scalars: case_.t1c.voxels + case_.t2.voxels)
    var region: [UInt8]?
    if samplingRegion != "target" {
        // The same case imported with every tumor label as foreground: the whole annotated tumor
        // on the same grid.
        var wholeTumor = source
        wholeTumor.labelConvention = LabelConvention(declaredValues: [0, 1, 2, 4], foregroundValues: [1, 2, 4])
        guard let tumor = try? importer.importCase(wholeTumor).label?.voxels else {
            fail("\(source.id): no whole-tumor mask")
        }
        region = samplingRegion == "tumor" || !label.voxels.contains(where: { $0 > 0 }) ? tumor : nil
    }
    imported.append(TrainingCase(id: source.id, image: image, label: label.voxels, samplingRegion: region))
    labelVoxels[source.id] = label.foregroundVoxels
}
guard imported.count > testCount else { fail("\(imported.count) cases imported, \(testCount) wanted for testing") }
let byName = Dictionary(uniqueKeysWithValues: imported.map { ($0.id, $0) })
let testNames: Set<String>
let pool: [String]
do {
    testNames = Set(try RandomQuery.select(imported.map(\.id), count: testCount, seed: 0))
    pool = imported.map(\.id).filter { !testNames.contains($0) }
} catch { fail("\(error)") }
let testCases = imported.filter { testNames.contains($0.id) }
let tumorFreeTests = testCases.filter { !$0.label.contains(where: { $0 > 0 }) }.count

let sizes =
    value("--sizes").map { $0.split(separator: ",").compactMap { Int($0) } }
    ?? ((0...defaults.rounds).map { defaults.initialCount + $0 * defaults.queryCount } + [pool.count])
print(
    """
    training-benchmark: profile \(profile.name), \(imported.count) cases (\(pool.count) training pool, \
    \(testCases.count) test of which \(tumorFreeTests) tumor-free) imported in \
    \(String(format: "%.0f", Date().timeIntervalSince(importStart))) s; \(seeds) seeds per size (from \(firstSeed)), \(workers) at once; \
    dropout \(trainsWithDropout ? "train+test at \(profile.training.dropoutRate)" : "off"); \
    \(profile.training.maximumEpochs) epochs of \(profile.training.iterationsPerEpoch.map { "\($0) steps" } ?? "\(profile.training.patchesPerImage) patches per case")\
    \(profile.training.iterationsPerTrainingCase.map { " (at least \($0) per training case)" } ?? ""), \
    lr \(profile.training.learningRate), foreground share \(profile.training.foregroundFraction), \
    batch \(profile.training.batchSize), \(profile.network.baseChannels) base channels, \(profile.training.selection) selection, \
    cosine period \(profile.training.warmRestartPeriod) epochs, minimum tumor volume \
    \(profile.inference.minimumTumorVolume) mm³ (\(profile.segmentationRule.minimumVoxels) voxels), \
    foreground patches centred on the \(samplingRegion)
    """)

/// One trained model's outcome on the test split.
struct Outcome: Sendable {
    var size: Int
    var seed: Int
    var meanDice: Double
    /// Each test case's Dice, in test-split order.
    var caseDice: [Double]
    /// With `--ensemble`: each test case's probability map, in test-split order.
    var probabilities: [[Float]]?
    /// Mean test Dice per tumor subtype.
    var diceBySubtype: [String: Double]
    /// The equivalence margin ±2Δ this model would set as a comparison's full-data model.
    var margin: Double
    var check: CollapseCheck
    /// Tumor-free test cases on which the prediction is empty (each scores 1, any other 0).
    var emptyOnTumorFree: Int
    /// Mean Dice over the tumor-bearing test cases only.
    var tumorDice: Double
    /// With `--mirror`: the same model's mean test Dice with test-time mirroring.
    var mirroredDice: Double?
    /// With `--minimum-volumes`: the mean test Dice with each minimum tumor volume, in that order.
    var diceByMinimumVolume: [Double]
    /// With `--minimum-volumes`: the margin ±2Δ with each minimum tumor volume.
    var marginByMinimumVolume: [Double]
    var bestEpoch: Int
    var seconds: Double
    /// Cases drawn: the size, and those the cold start added.
    var drawnCases: Int
    /// The cases the model trained on (the validation cases held out) and how many of them hold a
    /// tumor of at least the profile's minimum volume: a model cannot learn the tumor from a
    /// training set that holds almost none.
    var trainingCases: Int
    var tumorBearingTrainingCases: Int
    /// Training loss and validation Dice of every epoch, for telling a network that never learned
    /// from a selection that kept an early epoch.
    var history: [EpochReport]
}

/// One test case's segmentation: its Dice and voxel counts.
struct Segmented {
    var subtype: String
    var dice: Double
    var predicted: Int
    var reference: Int

    /// The segmentation of `probabilities` (above 0.5) scored against `reference`.
    init(probabilities: [Float], reference: BinaryMask, subtype: String) throws {
        let prediction = try BinaryMask(probabilities: probabilities, dimensions: reference.dimensions)
        self.init(
            subtype: subtype, dice: try Statistics.dice(prediction: prediction, reference: reference),
            predicted: prediction.foregroundCount, reference: reference.foregroundCount)
    }

    init(subtype: String, dice: Double, predicted: Int, reference: Int) {
        self.subtype = subtype
        self.dice = dice
        self.predicted = predicted
        self.reference = reference
    }

    /// The segmentation with a minimum tumor volume (`SegmentationRule`): emptied below `minimum`
    /// voxels, it scores 1 on a tumor-free case and 0 on any other.
    func emptied(below minimum: Int) -> Segmented {
        guard predicted > 0, predicted < minimum else { return self }
        return Segmented(subtype: subtype, dice: reference == 0 ? 1 : 0, predicted: 0, reference: reference)
    }
}

/// What every training run shares; immutable once built, so the workers read it concurrently.
struct Bench: @unchecked Sendable {
    let profile: ExperimentProfile
    let pool: [String]
    let byName: [String: TrainingCase]
    let labelVoxels: [String: Int]
    let testCases: [TrainingCase]
    /// The test cases' labels as masks, in `testCases` order.
    let references: [BinaryMask]
    let trainsWithDropout: Bool
    let logger: Logger

    func trainAndTest(size: Int, seed: Int, threads: Int) throws -> Outcome {
        let coldStart = profile.coldStart
        let annotated = coldStart.initialSet(try RandomQuery.order(pool, seed: UInt64(seed)), initialCount: size) {
            labelVoxels[$0]!
        }
        let order = try RandomQuery.order(annotated, seed: UInt64(seed) &+ 1000)
        let held = ValidationHoldOut.count(of: annotated.count, fraction: profile.activeLearning.validationFraction)
        let validation = order.prefix(held).map { byName[$0]! }
        let training = order.dropFirst(held).sorted().map { byName[$0]! }
        let mode: Proto.DropoutMode = trainsWithDropout ? .train : .off
        let network = UNet3D(
            config: profile.network(dropout: mode, rate: profile.training.dropoutRate), seed: UInt64(seed))
        network.precision = profile.precision
        var config = profile.trainingConfig(profile.hyperParameters, trainingCases: training.count, seed: UInt64(seed))
        if let bceWeight { config.bceWeight = bceWeight }
        let trainer = Trainer(config: config, predictor: profile.predictor, logger: logger)
        let started = Date()
        return try ComputeThreads.$count.withValue(threads) {
            let result = try trainer.train(network, training: training, validation: validation)
            // Each test case's segmentation by `predictor` against its reference: the Dice and the
            // voxel counts, with no minimum tumor volume.
            var kept: [[Float]] = []
            func scored(by predictor: Predictor, keeping: Bool = false) throws -> [Segmented] {
                try zip(testCases, references).map { testCase, reference in
                    let probabilities = predictor.predict(result.network, image: testCase.image).probabilities.scalars
                    if keeping { kept.append(probabilities) }
                    return try Segmented(
                        probabilities: probabilities, reference: reference,
                        subtype: subtypes[testCase.id] ?? "other")
                }
            }
            let raw = try scored(by: profile.predictor, keeping: ensembleSize > 1)
            let predictions = raw.map { $0.emptied(below: profile.segmentationRule.minimumVoxels) }
            let check = CollapseCheck(
                predictedVoxels: predictions.map(\.predicted), referenceVoxels: predictions.map(\.reference))
            let tumorFree = predictions.filter { $0.reference == 0 }
            var mirrored = profile.predictor
            mirrored.mirroring = true
            let mirroredDice =
                comparesMirroring
                ? try scored(by: mirrored).map { $0.emptied(below: profile.segmentationRule.minimumVoxels).dice } : nil
            let tumorDice = predictions.filter { $0.reference > 0 }.map(\.dice)
            let diceByMinimum = minimumVolumes.map { minimum in raw.map { $0.emptied(below: minimum).dice } }
            return Outcome(
                size: size, seed: seed, meanDice: predictions.map(\.dice).reduce(0, +) / Double(predictions.count),
                caseDice: predictions.map(\.dice), probabilities: ensembleSize > 1 ? kept : nil,
                diceBySubtype: Dictionary(grouping: predictions, by: \.subtype)
                    .mapValues { $0.map(\.dice).reduce(0, +) / Double($0.count) },
                margin: try EquivalenceBounds(reference: predictions.map(\.dice)).high,
                check: check, emptyOnTumorFree: tumorFree.filter { $0.predicted == 0 }.count,
                tumorDice: tumorDice.reduce(0, +) / Double(max(1, tumorDice.count)),
                mirroredDice: mirroredDice.map { $0.reduce(0, +) / Double($0.count) },
                diceByMinimumVolume: diceByMinimum.map { $0.reduce(0, +) / Double($0.count) },
                marginByMinimumVolume: try diceByMinimum.map { try EquivalenceBounds(reference: $0).high },
                bestEpoch: result.bestEpoch,
                seconds: Date().timeIntervalSince(started), drawnCases: annotated.count, trainingCases: training.count,
                tumorBearingTrainingCases: training.filter { coldStart.holdsTumor(labelVoxels: labelVoxels[$0.id]!) }
                    .count,
                history: result.history)
        }
    }
}

let references: [BinaryMask]
do {
    references = try testCases.map { testCase in
        let size = testCase.size
        return try BinaryMask(dimensions: SIMD3(size[2], size[1], size[0]), voxels: testCase.label.map { $0 > 0 })
    }
} catch { fail("\(error)") }
if !minimumVolumes.isEmpty {
    let volumes = references.map(\.foregroundCount).filter { $0 > 0 }.sorted()
    print(
        "tumor volumes of the \(volumes.count) tumor-bearing test cases (voxels): smallest "
            + volumes.prefix(10).map(String.init).joined(separator: ", ") + "; median \(volumes[volumes.count / 2])")
}
let bench = Bench(
    profile: profile, pool: pool, byName: byName, labelVoxels: labelVoxels, testCases: testCases,
    references: references, trainsWithDropout: trainsWithDropout, logger: logger)
let runs = sizes.flatMap { size in (firstSeed..<(firstSeed + seeds)).map { (size, $0) } }
let lock = NSLock()
nonisolated(unsafe) var outcomes: [Outcome] = []
let threadsPerModel = max(1, ProcessInfo.processInfo.activeProcessorCount / workers)
let benchmarkStart = Date()
DispatchQueue.concurrentPerform(iterations: workers) { worker in
    for index in stride(from: worker, to: runs.count, by: workers) {
        let (size, seed) = runs[index]
        do {
            let outcome = try bench.trainAndTest(size: size, seed: seed, threads: threadsPerModel)
            lock.withLock {
                outcomes.append(outcome)
                FileHandle.standardOutput.write(
                    Data(
                        String(
                            format:
                                "  size %3d seed %2d: test Dice %.3f (%.3f on tumor cases, margin ±%.3f), empty on %d of %d tumor cases%@ and on %d of %d tumor-free cases%@, best epoch %d, %.0f s; drew %d cases, tumor in %d of %d training cases; by subtype %@; loss %@; validation Dice %@",
                            size, seed, outcome.meanDice, outcome.tumorDice, outcome.margin,
                            outcome.check.emptyPredictions, outcome.check.tumorCases,
                            outcome.check.isAllBackground ? " (ALL-BACKGROUND)" : "", outcome.emptyOnTumorFree,
                            tumorFreeTests,
                            (outcome.mirroredDice.map { String(format: "; mirrored %.3f", $0) } ?? "")
                                + zip(minimumVolumes, outcome.diceByMinimumVolume).map {
                                    String(format: "; at least %d voxels %.3f", $0, $1)
                                }.joined(),
                            outcome.bestEpoch, outcome.seconds, outcome.drawnCases, outcome.tumorBearingTrainingCases,
                            outcome.trainingCases,
                            outcome.diceBySubtype.sorted { $0.key < $1.key }.map {
                                String(format: "%@ %.3f", $0.key, $0.value)
                            }
                            .joined(separator: ", "),
                            outcome.history.map { String(format: "%.2f", $0.loss) }.joined(separator: " "),
                            outcome.history.map { String(format: "%.2f", $0.validationDice ?? .nan) }.joined(
                                separator: " ")
                        ).utf8 + [10]))
            }
        } catch { fail("size \(size) seed \(seed): \(error)") }
    }
}

print(
    "\n| training cases | models | test Dice mean | SD across seeds | min | max | all-background | margin ±2Δ | s per model |"
)
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for size in sizes {
    let group = outcomes.filter { $0.size == size }
    let dice = group.map(\.meanDice)
    let summary = try SampleSummary(dice, subject: "test Dice")
    print(
        String(
            format: "| %d | %d | %.3f | %.3f | %.3f | %.3f | %d | %.3f | %.0f |", size, group.count, summary.mean,
            summary.count > 1 ? summary.standardDeviation : Double.nan, dice.min()!, dice.max()!,
            group.filter(\.check.isAllBackground).count, group.map(\.margin).reduce(0, +) / Double(group.count),
            group.map(\.seconds).reduce(0, +) / Double(group.count)))
}
let subtypeNames = Set(testCases.map { subtypes[$0.id] ?? "other" }).sorted()
print("\nTest Dice by tumor subtype (mean over the models; test cases of the subtype in brackets):")
print(
    "| training cases | "
        + subtypeNames.map { name in "\(name) (\(testCases.filter { subtypes[$0.id] ?? "other" == name }.count))" }
        .joined(separator: " | ") + " |")
print("|---:|" + subtypeNames.map { _ in "---:" }.joined(separator: "|") + "|")
for size in sizes {
    let group = outcomes.filter { $0.size == size }
    let cells = subtypeNames.map { name in
        String(format: "%.3f", group.compactMap { $0.diceBySubtype[name] }.reduce(0, +) / Double(group.count))
    }
    print("| \(size) | " + cells.joined(separator: " | ") + " |")
}
if comparesMirroring {
    print("\nWith test-time mirroring (the same models):")
    for size in sizes {
        let dice = outcomes.filter { $0.size == size }.compactMap(\.mirroredDice)
        let summary = try SampleSummary(dice, subject: "mirrored test Dice")
        print(
            String(
                format: "| %d | %d | %.3f | %.3f | %.3f | %.3f |", size, dice.count, summary.mean,
                summary.count > 1 ? summary.standardDeviation : Double.nan, dice.min()!, dice.max()!))
    }
}
if !minimumVolumes.isEmpty {
    print("\nTest Dice (margin ±2Δ) with a minimum tumor volume (the same models; smaller predictions emptied):")
    print("| training cases | " + minimumVolumes.map { "≥ \($0) voxels" }.joined(separator: " | ") + " |")
    print("|---:|" + minimumVolumes.map { _ in "---:" }.joined(separator: "|") + "|")
    for size in sizes {
        let group = outcomes.filter { $0.size == size }
        let cells = minimumVolumes.indices.map { i in
            String(
                format: "%.3f (±%.3f)", group.map { $0.diceByMinimumVolume[i] }.reduce(0, +) / Double(group.count),
                group.map { $0.marginByMinimumVolume[i] }.reduce(0, +) / Double(group.count))
        }
        print("| \(size) | " + cells.joined(separator: " | ") + " |")
    }
}
if ensembleSize > 1 {
    print(
        """

        Full-data references built from \(ensembleSize) models each (test Dice mean, SD over the test cases, margin ±2Δ; \
        empty: tumor-free test cases predicted empty, of \(tumorFreeTests)):
        | training cases | seeds | members (mean of their means) | members' margins | seed mean of per-case Dice | probability ensemble | ensemble empty |
        |---:|---|---:|---:|---:|---:|---:|
        """)
    func described(_ dice: [Double]) throws -> String {
        let summary = try SampleSummary(dice, subject: "reference Dice")
        return String(
            format: "%.3f (SD %.3f, ±%.3f)", summary.mean, summary.standardDeviation,
            try EquivalenceBounds(reference: dice).high)
    }
    for size in sizes {
        let members = outcomes.filter { $0.size == size }.sorted { $0.seed < $1.seed }
        for start in stride(from: 0, to: members.count - ensembleSize + 1, by: ensembleSize) {
            let set = Array(members[start..<(start + ensembleSize)])
            let seedMean = references.indices.map { i in set.map { $0.caseDice[i] }.reduce(0, +) / Double(set.count) }
            let ensemble = try references.indices.map { i in
                var mean = [Float](repeating: 0, count: set[0].probabilities![i].count)
                for member in set {
                    for (v, p) in member.probabilities![i].enumerated() { mean[v] += p / Float(set.count) }
                }
                return try Segmented(probabilities: mean, reference: references[i], subtype: "")
                    .emptied(below: profile.segmentationRule.minimumVoxels)
            }
            print(
                String(
                    format: "| %d | %@ | %.3f | %@ | %@ | %@ | %d |", size,
                    set.map { String($0.seed) }.joined(separator: ","),
                    set.map(\.meanDice).reduce(0, +) / Double(set.count),
                    set.map { String(format: "±%.3f", $0.margin) }.joined(separator: ", "),
                    try described(seedMean), try described(ensemble.map(\.dice)),
                    ensemble.filter { $0.reference == 0 && $0.predicted == 0 }.count))
        }
    }
}
print(String(format: "\n%d models in %.0f s", outcomes.count, Date().timeIntervalSince(benchmarkStart)))
