import Dispatch
import Foundation
import Logging

/// The outcome of importing one case: preprocessed, or the reason it was not.
public struct CaseImportResult: Sendable {
    public var caseID: String
    public var outcome: Result<PreprocessedCase, VolumeError>
}

/// Reads and preprocesses the cases a dataset lists, a few at a time.
///
/// One bad case (a missing modality, a corrupt file, a label outside the declared set) is reported
/// with its reason and the import goes on: a dataset of hundreds of cases is rarely perfect, and
/// ingest records each failure against its case. File reading and resampling block, so each case runs
/// on a Dispatch queue rather than on Swift's cooperative pool; `concurrency` bounds how many cases are
/// in memory at once (a BraTS case takes ~150 MB while it is processed).
public struct CaseImporter: Sendable {
    /// Its configuration's `maxVoxels` also caps the files read.
    public var preprocessor: Preprocessor
    /// Cases processed at the same time.
    public var concurrency: Int
    public var logger: Logger

    public init(
        preprocessor: Preprocessor = Preprocessor(), concurrency: Int = 2, logger: Logger
    ) {
        self.preprocessor = preprocessor
        self.concurrency = max(1, concurrency)
        self.logger = logger
    }

    /// Reads and preprocesses one case, blocking the calling thread.
    public func importCase(_ source: CaseSource) throws(VolumeError) -> PreprocessedCase {
        var configuration = preprocessor.configuration
        if let convention = source.labelConvention { configuration.labels = convention }
        let maxVoxels = configuration.maxVoxels
        let t1c = try NIfTI.readImage(at: source.t1c, caseID: source.id, maxVoxels: maxVoxels)
        let t2 = try NIfTI.readImage(at: source.t2, caseID: source.id, maxVoxels: maxVoxels)
        let label = try source.label.map { url throws(VolumeError) in
            try NIfTI.readLabels(
                at: url, allowedValues: configuration.labels.declaredValues, caseID: source.id,
                maxVoxels: maxVoxels)
        }
        return try Preprocessor(configuration).run(caseID: source.id, t1c: t1c, t2: t2, label: label, files: source)
    }

    /// One result per discovery, in completion order; failed discoveries pass through as failures.
    public func results(for discoveries: [CaseDiscovery]) -> AsyncStream<CaseImportResult> {
        let importer = self
        return AsyncStream { continuation in
            let task = Task {
                await withTaskGroup(of: CaseImportResult.self) { group in
                    var pending = discoveries.makeIterator()
                    var running = 0
                    while running < importer.concurrency, let next = pending.next() {
                        group.addTask { await importer.importOnQueue(next) }
                        running += 1
                    }
                    for await result in group {
                        continuation.yield(result)
                        if !Task.isCancelled, let next = pending.next() {
                            group.addTask { await importer.importOnQueue(next) }
                        }
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private static let queue = DispatchQueue(label: "activeseg.volume.import", attributes: .concurrent)

    private func importOnQueue(_ discovery: CaseDiscovery) async -> CaseImportResult {
        let importer = self
        return await withCheckedContinuation { continuation in
            Self.queue.async { continuation.resume(returning: importer.importNow(discovery)) }
        }
    }

    private func importNow(_ discovery: CaseDiscovery) -> CaseImportResult {
        let result: CaseImportResult
        switch discovery {
        case .failure(let error):
            result = CaseImportResult(caseID: error.caseID ?? error.file ?? "unknown", outcome: .failure(error))
        case .success(let source):
            do throws(VolumeError) {
                result = CaseImportResult(caseID: source.id, outcome: .success(try importCase(source)))
            } catch {
                result = CaseImportResult(caseID: source.id, outcome: .failure(error))
            }
        }
        switch result.outcome {
        case .success(let preprocessed):
            logger.debug(
                "case imported", metadata: ["case_id": "\(result.caseID)", "shape": "\(preprocessed.t1c.shape)"])
        case .failure(let error):
            logger.warning(
                "case not imported",
                metadata: [
                    "case_id": "\(result.caseID)", "file": "\(error.file ?? "")", "code": "\(error.code)",
                    "detail": "\(error.detail)",
                ])
        }
        return result
    }
}
