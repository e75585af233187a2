import Domain
import Foundation
import Proto
import ServiceRuntime
import Store
import Volume

/// An `IngestRequest` checked before any work: the dataset row it creates or finds, how to list the
/// source's cases, and the preprocessing settings. Every rejection names the offending field.
///
/// An nnU-Net dataset says which channel is T1c and which T2 in its `dataset.json`, which the
/// importer reads; the request's channel indices are not needed for it.
struct IngestPlan: Sendable {
    /// The paper's share of patients held out for testing.
    static let defaultTestShare = 0.2

    var dataset: DatasetRecord
    var preprocessing: PreprocessingConfiguration
    /// Lists the source's cases; reads the folder or manifest, so it blocks.
    var discover: @Sendable () throws(VolumeError) -> [CaseDiscovery]

    init(_ request: IngestRequest) throws(RPCError) {
        func invalid(_ field: String, _ message: String) -> RPCError {
            RPCError(.invalidArgument, message, details: ["field": field, "request.id": request.requestID])
        }
        guard let datasetID = DatasetID(wireForm: request.datasetID) else {
            throw invalid("dataset_id", "dataset_id must be a UUID, got '\(request.datasetID)'")
        }
        let share = request.testShare == 0 ? Self.defaultTestShare : request.testShare
        guard share > 0, share < 1 else {
            throw invalid("test_share", "test_share must lie in (0, 1), got \(request.testShare)")
        }
        let kind: DatasetRecord.SourceKind
        let path: String
        switch request.source {
        case .brats(let folder):
            kind = .brats
            path = folder.path
            let targets = try Self.labelValues(folder.targetLabels, field: "brats.target_labels", invalid)
            let root = URL(fileURLWithPath: folder.path, isDirectory: true)
            discover = { () throws(VolumeError) -> [CaseDiscovery] in
                try BraTSDataset.discover(root: root).map { discovery in
                    discovery.map { source in
                        guard let targets, var convention = source.labelConvention else { return source }
                        convention.foregroundValues = targets
                        var overridden = source
                        overridden.labelConvention = convention
                        return overridden
                    }
                }
            }
        case .nnunetRaw(let folder):
            kind = .nnunet
            path = folder.path
            let targets = try Self.labelValues(folder.targetLabels, field: "nnunet_raw.target_labels", invalid)
            let root = URL(fileURLWithPath: folder.path, isDirectory: true)
            discover = { () throws(VolumeError) -> [CaseDiscovery] in
                try NNUNetDataset.discover(root: root, foregroundValues: targets)
            }
        case .manifest(let manifest):
            kind = .manifest
            path = manifest.path
            guard let targets = try Self.labelValues(manifest.targetLabels, field: "manifest.target_labels", invalid)
            else {
                throw invalid(
                    "manifest.target_labels", "a manifest names no label coding: state the target label values")
            }
            let file = URL(fileURLWithPath: manifest.path)
            discover = { () throws(VolumeError) -> [CaseDiscovery] in
                try ManifestDataset.discover(manifest: file, root: file.deletingLastPathComponent()).map { discovery in
                    discovery.map { source in
                        var labelled = source
                        labelled.labelConvention = LabelConvention(
                            declaredValues: Set(0...255), foregroundValues: targets)
                        return labelled
                    }
                }
            }
        case .synthetic:
            throw RPCError(
                .unimplemented,
                "ingest reads cohorts from files: generate the synthetic cohort into a folder "
                    + "(SyntheticCohort) and ingest it as a BraTS folder",
                details: ["field": "synthetic", "request.id": request.requestID])
        case nil:
            throw invalid("source", "the source (brats, nnunet_raw or manifest) must be set")
        }
        guard !path.isEmpty else {
            throw invalid("source.path", "the source path must be set")
        }
        let uri = URL(fileURLWithPath: path).standardizedFileURL.path
        dataset = DatasetRecord(
            id: datasetID, name: "\(kind.rawValue):\(uri)", sourceKind: kind, sourceURI: uri,
            testFraction: share, splitSeed: Int64(bitPattern: request.splitSeed))
        preprocessing = try Self.preprocessing(request.preprocessing, invalid)
    }

    /// The target label values, or nil when none are given (the dataset's own coding applies).
    private static func labelValues(
        _ values: [Int32], field: String, _ invalid: (String, String) -> RPCError
    ) throws(RPCError) -> Set<UInt8>? {
        guard !values.isEmpty else { return nil }
        guard values.allSatisfy({ (1...255).contains($0) }) else {
            throw invalid(field, "target label values must lie in 1…255, got \(values)")
        }
        return Set(values.map(UInt8.init))
    }

    /// The Volume library's settings for `config`: the optional steps asked for (skull stripping,
    /// registration, bias correction) with their default settings; z-scoring always happens,
    /// because the network's input depends on it.
    private static func preprocessing(
        _ config: PreprocessingConfig, _ invalid: (String, String) -> RPCError
    ) throws(RPCError) -> PreprocessingConfiguration {
        guard config.normalize else {
            throw invalid("preprocessing.normalize", "normalize must be true: every case is z-scored per channel")
        }
        var configuration = PreprocessingConfiguration()
        configuration.run(
            Set(
                [
                    (config.skullStrip, PreprocessingStep.skullStripping), (config.coregister, .registration),
                    (config.biasCorrection, .biasFieldCorrection),
                ].filter(\.0).map(\.1)))
        if !config.orientation.isEmpty {
            do {
                configuration.orientation = try AxisCodes(config.orientation)
            } catch {
                throw invalid("preprocessing.orientation", error.detail)
            }
        }
        if config.spacingMm != 0 {
            guard config.spacingMm.isFinite, config.spacingMm > 0 else {
                throw invalid(
                    "preprocessing.spacing_mm", "spacing_mm must be a positive number, got \(config.spacingMm)")
            }
            configuration.spacing = SIMD3(repeating: config.spacingMm)
        }
        return configuration
    }
}
