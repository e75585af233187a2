import Domain
import Logging
import Proto
import ServiceRuntime
import Statistics

/// Answers `Stats.Analyze` with the Statistics library: each round's Dice summary and its TOST
/// against the full-data model with the (1 − 2α) interval of the mean difference that explains the
/// verdict, and the first equivalent round with its share of the training set.
/// Without full-data Dice (a pool nobody labelled has no full-data model) it summarises the rounds
/// alone.
///
/// Stateless: the per-case Dice values arrive in the request, so a stored record can be
/// re-analysed at any time and gives the same answer.
struct AnalysisHandler: Sendable {
    func analyze(_ request: StatsRequest, logger: Logger) throws(RPCError) -> StatsResult {
        let design = try Self.validated(request)
        // Sorted by case id, so a paired test pairs each round's values with these in the same order.
        let fullData = request.fullData.sorted { $0.caseID < $1.caseID }
        let reference = fullData.map(\.dice)
        do {
            var result = StatsResult.with { $0.requestID = request.requestID }
            // Without a reference there is nothing to test against: the rounds are only summarised.
            var bounds: (low: Double, high: Double)?
            if !reference.isEmpty {
                let (low, high) =
                    request.hasBounds
                    ? (request.bounds.lower, request.bounds.upper)
                    : try Self.derivedBounds(reference, alpha: request.alpha)
                result.bounds = Proto.EquivalenceBounds.with {
                    $0.lower = low
                    $0.upper = high
                }
                result.fullData = try Self.summary(reference, subject: "full-data Dice")
                bounds = (low, high)
            }
            for round in request.rounds.sorted(by: { $0.round < $1.round }) {
                let subject = "round \(round.round)"
                var analysis = Proto.RoundAnalysis.with {
                    $0.round = round.round
                    $0.annotatedCases = round.annotatedCases
                    $0.dataShare = dataShare(annotated: Int(round.annotatedCases), of: Int(request.fullDataCases))
                }
                guard let (low, high) = bounds else {
                    analysis.dice = try Self.summary(round.dice.map(\.dice), subject: subject)
                    result.rounds.append(analysis)
                    continue
                }
                let values =
                    design == .paired
                    ? try Self.paired(round, with: fullData.map(\.caseID))
                    : round.dice.map(\.dice)
                let test = try tost(values, reference, low: low, high: high, design: design)
                let interval = try test.differenceInterval(alpha: request.alpha)
                analysis.dice = try Self.summary(values, subject: subject)
                analysis.tost = Tost.with {
                    $0.tLower = test.lower.statistic
                    $0.pLower = test.lower.pValue
                    $0.tUpper = test.upper.statistic
                    $0.pUpper = test.upper.pValue
                    $0.degreesOfFreedom = test.lower.degreesOfFreedom
                    $0.p = test.pValue
                    $0.equivalent = test.isEquivalent(alpha: request.alpha)
                    $0.meanDifference = test.meanDifference
                    $0.differenceInterval = Proto.ConfidenceInterval.with {
                        $0.lower = interval.lower
                        $0.upper = interval.upper
                        $0.level = interval.level
                    }
                }
                result.rounds.append(analysis)
            }
            if let first = result.rounds.first(where: \.tost.equivalent) {
                result.firstEquivalentRound = first.round
                result.firstEquivalentShare = first.dataShare
            }
            logger.debug(
                "analysed",
                metadata: [
                    "request.id": "\(request.requestID)", "rounds": "\(result.rounds.count)",
                    "first-equivalent": "\(result.hasFirstEquivalentRound ? "\(result.firstEquivalentRound)" : "none")",
                ])
            return result
        } catch let error as StatisticsError {
            throw RPCError(
                .invalidArgument, error.description,
                details: ["subject": error.subject, "reason": "\(error.code)", "request.id": request.requestID])
        } catch let error as RPCError {
            throw error
        } catch {
            throw RPCError(.internal, String(describing: error), details: ["request.id": request.requestID])
        }
    }

    /// The paper's bounds: the margin at which the full-data Dice is equivalent to itself, doubled.
    private static func derivedBounds(_ reference: [Double], alpha: Double) throws -> (Double, Double) {
        let bounds = try Statistics.EquivalenceBounds(reference: reference, alpha: alpha)
        return (bounds.low, bounds.high)
    }

    /// The round's Dice in the order of `caseIDs`; every full-data case must appear exactly once.
    private static func paired(_ round: RoundDice, with caseIDs: [String]) throws(RPCError) -> [Double] {
        let byCase = Dictionary(round.dice.map { ($0.caseID, $0.dice) }, uniquingKeysWith: { first, _ in first })
        let details = ["round": String(round.round)]
        guard byCase.count == round.dice.count else {
            throw RPCError(.invalidArgument, "round \(round.round) lists a test case twice", details: details)
        }
        var values: [Double] = []
        for id in caseIDs {
            guard let value = byCase[id] else {
                throw RPCError(
                    .invalidArgument,
                    "round \(round.round) has no Dice for test case \(id), which the paired test needs",
                    details: details.merging(["case.id": id]) { $1 })
            }
            values.append(value)
        }
        guard values.count == round.dice.count else {
            throw RPCError(
                .invalidArgument,
                "round \(round.round) has \(round.dice.count) test cases, the full-data model \(caseIDs.count)",
                details: details)
        }
        return values
    }

    private static func summary(_ values: [Double], subject: String) throws -> DiceSummary {
        let summary = try SampleSummary(values, subject: subject)
        return DiceSummary.with {
            $0.count = UInt32(summary.count)
            $0.mean = summary.mean
            $0.stdDev = summary.standardDeviation
            $0.median = summary.median
            $0.q1 = percentile(values, 25)
            $0.q3 = percentile(values, 75)
            $0.min = values.min() ?? .nan
            $0.max = values.max() ?? .nan
        }
    }

    /// Rejects what the contract marks as mandatory before any work is done; returns the design.
    private static func validated(_ request: StatsRequest) throws(RPCError) -> TOSTDesign {
        func invalid(_ field: String, _ message: String) -> RPCError {
            RPCError(.invalidArgument, message, details: ["field": field, "request.id": request.requestID])
        }
        let design: TOSTDesign
        switch request.test {
        case .paired: design = .paired
        case .pooled: design = .pooled
        case .welch: design = .welch
        case .unspecified, .UNRECOGNIZED: throw invalid("test", "the t-test (paired, pooled or welch) must be set")
        }
        guard request.alpha > 0, request.alpha < 0.5 else {
            throw invalid("alpha", "alpha must be in (0, 0.5), got \(request.alpha)")
        }
        if request.hasBounds, request.fullData.isEmpty {
            throw invalid("full_data", "bounds were given but no full-data Dice to test against")
        }
        guard Set(request.fullData.map(\.caseID)).count == request.fullData.count else {
            throw invalid("full_data", "a test case is listed twice in full_data")
        }
        guard request.fullDataCases >= 1 else {
            throw invalid("full_data_cases", "the size of the full training set must be at least 1")
        }
        guard Set(request.rounds.map(\.round)).count == request.rounds.count else {
            throw invalid("rounds", "a round is listed twice")
        }
        if request.hasBounds, !(request.bounds.lower < request.bounds.upper) {
            throw invalid(
                "bounds",
                "the lower bound \(request.bounds.lower) must be below the upper bound \(request.bounds.upper)")
        }
        return design
    }
}
