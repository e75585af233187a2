import Domain
import Foundation
import Profiles
import Proto
import ServiceRuntime
import Store

/// Between the protobuf `ExperimentSpec` and the stored experiment: validation of a requested
/// experiment, and the proto names of stored values.
enum ExperimentSpecMapping {
    /// The experiment record for a create request, or the `invalidArgument` error naming the field
    /// (and, for a field outside ``ExperimentSpecLimits``, its limit).
    ///
    /// An experiment is one repetition: it runs the last of `spec.seeds`, and the seeds before it
    /// are those of the same comparison's earlier repetitions, so its repetition index is
    /// `seeds.count - 1` and `seeds[repetition]` is its seed, as `ExperimentStatus.repetition`
    /// reads. Repetitions are separate experiments, so they run side by side, each can be
    /// inspected, resumed or cancelled alone, and strategies compared repetition by repetition
    /// share a seed and hence the initial set.
    static func record(id: ExperimentID, spec: ExperimentSpec) throws(RPCError) -> ExperimentRecord {
        func invalid(_ field: String, _ message: String) -> RPCError {
            RPCError(.invalidArgument, message, details: ["field": field, "experiment": id.wireForm])
        }
        guard let datasetID = DatasetID(wireForm: spec.datasetID) else {
            throw invalid("dataset_id", "dataset_id must be a UUID, got '\(spec.datasetID)'")
        }
        guard let strategy = Strategy(spec.strategy) else {
            let known = Strategy.allCases.map(\.rawValue).joined(separator: ", ")
            throw invalid(
                "strategy",
                spec.strategy == .unspecified
                    ? "the strategy must be set"
                    : "strategy \(spec.strategy) is not run by experiments; they run \(known)")
        }
        guard let restriction = RedundancyRestriction(spec.restriction) else {
            throw invalid("restriction", "the restriction must be set (RESTRICTION_NONE for none)")
        }
        if !strategy.ranksPool && restriction != .none {
            throw invalid("restriction", "random query ranks nothing, so it takes no restriction")
        }
        guard let profile = ProfileName(spec.profile), let sizes = try? ExperimentProfile(spec.profile) else {
            throw invalid("profile", "the profile must be set")
        }
        let annotation: ExperimentRecord.AnnotationMode
        switch spec.annotation {
        case .oracle: annotation = .oracle
        case .human: annotation = .human
        case .unspecified, .UNRECOGNIZED: throw invalid("annotation", "the annotation mode must be set")
        }
        do throws(LimitViolation) {
            try ExperimentSpecLimits.check(spec, profile: sizes)
        } catch {
            var refusal = invalid(error.field, error.description)
            refusal.details["limit"] = error.limit
            throw refusal
        }
        // The limits hold at least one seed.
        let seed = spec.seeds[spec.seeds.count - 1]
        let encoded: Data
        do { encoded = try spec.serializedData() } catch {
            throw RPCError(.internal, "the specification does not encode: \(error)")
        }
        let design = ExperimentDesign(
            strategy: strategy, restriction: restriction, initialCount: Int(spec.initialCases),
            candidateCount: Int(spec.topK), queryCount: Int(spec.pick), maxRounds: Int(spec.stop.maxRounds),
            stopAtEquivalence: spec.stop.atEquivalence,
            dropoutPasses: strategy.usesDropoutPasses ? Int(spec.passes) : nil,
            bootstrapMembers: strategy == .bootstrap ? Int(spec.bootstrapMembers) : nil,
            seed: Int64(bitPattern: seed), profile: profile)
        return ExperimentRecord(
            id: id, name: spec.name, datasetID: datasetID, design: design,
            repetition: spec.seeds.count - 1, annotationMode: annotation, spec: encoded)
    }

    /// The stored specification; an experiment always stores the one it was created from.
    static func spec(of experiment: ExperimentRecord) -> ExperimentSpec {
        (try? ExperimentSpec(serializedBytes: experiment.spec)) ?? ExperimentSpec()
    }
}
