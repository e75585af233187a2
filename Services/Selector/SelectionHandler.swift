import ActiveLearning
import Domain
import Logging
import Proto
import ServiceRuntime

/// Answers `Selector.Select` with the ActiveLearning library: random query for the random method,
/// otherwise the top-K most uncertain candidates narrowed to k by the requested restriction.
///
/// Stateless: everything arrives in the request, so any worker computes the same picks.
struct SelectionHandler: Sendable {
    func select(_ request: SelectRequest, logger: Logger) throws(RPCError) -> SelectResult {
        let (method, restriction) = try Self.validated(request)
        let selection: SelectionResult
        do {
            if method == .random {
                let picked = try RandomQuery.select(
                    request.candidates, by: \.sourceName, count: Int(request.pick),
                    seed: request.seed
                ).map(\.caseID)
                let note =
                    picked.count < request.pick
                    ? "only \(picked.count) candidates for k = \(request.pick); all were taken" : nil
                selection = SelectionResult(picked: picked, topK: [], note: note)
            } else {
                let selector = try CaseSelector(
                    topK: Int(request.topK), count: Int(request.pick),
                    restriction: restriction,
                    standardizesFeatures: request.zScoreFeatures)
                let candidates = request.candidates.map {
                    SelectionCandidate(
                        caseID: $0.caseID, sourceName: $0.sourceName, score: $0.score,
                        features: $0.features)
                }
                selection = try selector.select(candidates, annotatedFeatures: request.annotated.map(\.features))
            }
        } catch let error as ActiveLearningError {
            throw RPCError(
                .invalidArgument, error.description,
                details: ["subject": error.subject, "reason": "\(error.code)", "request.id": request.requestID])
        } catch {
            throw RPCError(.internal, String(describing: error), details: ["request.id": request.requestID])
        }
        logger.debug(
            "selected",
            metadata: [
                "request.id": "\(request.requestID)", "picked": "\(selection.picked.count)",
                "candidates": "\(request.candidates.count)",
            ])
        return SelectResult.with {
            $0.requestID = request.requestID
            $0.pickedCaseIds = selection.picked
            $0.note = selection.note ?? ""
        }
    }

    /// Rejects what the contract marks as mandatory before any work is done.
    private static func validated(
        _ request: SelectRequest
    ) throws(RPCError) -> (UncertaintyMethod, RedundancyRestriction) {
        func invalid(_ field: String, _ message: String) -> RPCError {
            RPCError(.invalidArgument, message, details: ["field": field, "request.id": request.requestID])
        }
        switch request.method {
        case .unspecified, .UNRECOGNIZED:
            throw invalid("method", "the uncertainty method must be set")
        default: break
        }
        guard let restriction = RedundancyRestriction(request.restriction) else {
            throw invalid("restriction", "the redundancy restriction must be set (RESTRICTION_NONE for none)")
        }
        if let unnamed = request.candidates.first(where: { $0.sourceName.isEmpty }) {
            throw invalid(
                "candidates.source_name",
                "candidate \(unnamed.caseID) has no source name, which orders random query and equal scores")
        }
        guard request.pick >= 1 else {
            throw invalid("pick", "k (pick) must be at least 1")
        }
        if request.method != .random, request.topK < request.pick {
            throw invalid("top_k", "K (top_k = \(request.topK)) must be at least k (pick = \(request.pick))")
        }
        return (request.method, restriction)
    }
}
