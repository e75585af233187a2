import Foundation
import Proto
import ServiceRuntime
import Statistics
import TestSupport
import Testing

@testable import StatsService

@Suite("Stats service", .tags(.stack), .needsLocalStack)
struct StatsServiceTests {
    /// 20 test cases; rounds 0–3 trail the full-data model by 0.15, 0.08, 0.02 and 0 mean Dice, so
    /// the first rounds are not equivalent and the later ones are (paired, derived bounds ≈ ±0.07).
    static let caseIDs = (0..<20).map { String(format: "test-%02d", $0) }
    static let fullData = caseIDs.indices.map { 0.80 + 0.1 * sin(Double($0)) }
    static let shortfalls = [0.15, 0.08, 0.02, 0.0]

    static func roundDice(_ round: Int) -> [Double] {
        fullData.indices.map { fullData[$0] - shortfalls[round] + 0.01 * cos(3 * Double($0 + round)) }
    }

    static func request(test: TTest) -> StatsRequest {
        StatsRequest.with {
            $0.requestID = UUID().uuidString
            // Listed in reverse to show that pairing goes by case id, not by position.
            $0.fullData = zip(caseIDs, fullData).reversed().map { id, dice in
                CaseDice.with {
                    $0.caseID = id
                    $0.dice = dice
                }
            }
            $0.rounds = shortfalls.indices.map { round in
                RoundDice.with {
                    $0.round = UInt32(round)
                    $0.annotatedCases = UInt32(40 + 30 * round)
                    $0.dice = zip(caseIDs, roundDice(round)).map { id, dice in
                        CaseDice.with {
                            $0.caseID = id
                            $0.dice = dice
                        }
                    }
                }
            }
            $0.fullDataCases = 400
            $0.test = test
            $0.alpha = 0.05
        }
    }

    static func startStats(prefix: String) async throws -> RunningServer {
        let configuration = try ServiceTestSupport.configuration("stats", prefix: prefix)
        let server = buildStatsServer(
            configuration: configuration,
            connection: try await ServiceTestSupport.connect(configuration),
            logger: ServiceTestSupport.logger)
        return try await RunningServer.start(server, ping: StatsRPC.ping)
    }

    @Test(
        "TOST via the service equals the library",
        arguments: [
            (TTest.paired, TOSTDesign.paired), (.pooled, .pooled), (.welch, .welch),
        ])
    func tostEqualsTheLibrary(test: TTest, design: TOSTDesign) async throws {
        let prefix = ServiceTestSupport.uniquePrefix()
        let stats = try await Self.startStats(prefix: prefix)
        let client = try await ServiceTestSupport.client(prefix: prefix)
        let request = Self.request(test: test)

        let result = try await client.call(StatsRPC.analyze, request, timeout: ServiceTestSupport.timeout)

        let bounds = try Statistics.EquivalenceBounds(reference: Self.fullData, alpha: 0.05)
        #expect(result.requestID == request.requestID)
        #expect(result.bounds.lower == bounds.low)
        #expect(result.bounds.upper == bounds.high)
        #expect(result.rounds.map(\.round) == [0, 1, 2, 3])
        for analysis in result.rounds {
            let values = Self.roundDice(Int(analysis.round))
            let expected = try tost(values, Self.fullData, low: bounds.low, high: bounds.high, design: design)
            let summary = try SampleSummary(values)
            #expect(analysis.tost.tLower == expected.lower.statistic)
            #expect(analysis.tost.pLower == expected.lower.pValue)
            #expect(analysis.tost.tUpper == expected.upper.statistic)
            #expect(analysis.tost.pUpper == expected.upper.pValue)
            #expect(analysis.tost.degreesOfFreedom == expected.lower.degreesOfFreedom)
            #expect(analysis.tost.p == expected.pValue)
            #expect(analysis.tost.equivalent == expected.isEquivalent(alpha: 0.05))
            let interval = try expected.differenceInterval(alpha: 0.05)
            #expect(analysis.tost.meanDifference == expected.meanDifference)
            #expect(analysis.tost.differenceInterval.lower == interval.lower)
            #expect(analysis.tost.differenceInterval.upper == interval.upper)
            #expect(analysis.tost.differenceInterval.level == 0.9)
            #expect(analysis.tost.equivalent == (bounds.low < interval.lower && interval.upper < bounds.high))
            #expect(analysis.dice.mean == summary.mean)
            #expect(analysis.dice.median == summary.median)
            #expect(analysis.dice.stdDev == summary.standardDeviation)
            #expect(analysis.dice.q1 == percentile(values, 25))
            #expect(analysis.dice.q3 == percentile(values, 75))
            #expect(analysis.dice.min == values.min())
            #expect(analysis.dataShare == Double(40 + 30 * Int(analysis.round)) / 400)
        }
        #expect(result.fullData.mean == (try SampleSummary(Self.fullData)).mean)
        try await stats.stop()
        await client.connection.close()
    }

    @Test func firstEquivalentRoundEqualsTheLearningCurveAnalysis() async throws {
        let prefix = ServiceTestSupport.uniquePrefix()
        let stats = try await Self.startStats(prefix: prefix)
        let client = try await ServiceTestSupport.client(prefix: prefix)

        let result = try await client.call(
            StatsRPC.analyze, Self.request(test: .paired), timeout: ServiceTestSupport.timeout)

        let analysis = try LearningCurveAnalysis(
            trainingPoolSize: 400,
            fullDataDice: Dictionary(uniqueKeysWithValues: zip(Self.caseIDs, Self.fullData)),
            strategies: [
                StrategyEvaluation(
                    strategy: "margins",
                    rounds: Self.shortfalls.indices.map { round in
                        RoundEvaluation(
                            round: round, annotatedCases: 40 + 30 * round,
                            dice: Dictionary(uniqueKeysWithValues: zip(Self.caseIDs, Self.roundDice(round))))
                    })
            ])
        let expected = try #require(analysis.strategies.first)
        #expect(result.hasFirstEquivalentRound)
        #expect(result.firstEquivalentRound == UInt32(try #require(expected.firstEquivalentRound)))
        #expect(result.firstEquivalentShare == expected.equivalentShare)
        #expect(result.rounds.map(\.tost.p) == expected.rounds.map(\.tost.pValue))
        // The data exercise both outcomes.
        #expect(result.rounds.map(\.tost.equivalent) == [false, false, true, true])
        try await stats.stop()
        await client.connection.close()
    }

    @Test func withoutFullDataDiceTheRoundsAreSummarisedAndNotTested() async throws {
        let prefix = ServiceTestSupport.uniquePrefix()
        let stats = try await Self.startStats(prefix: prefix)
        let client = try await ServiceTestSupport.client(prefix: prefix)
        var unreferenced = Self.request(test: .paired)
        unreferenced.fullData = []

        let result = try await client.call(StatsRPC.analyze, unreferenced, timeout: ServiceTestSupport.timeout)

        #expect(!result.hasBounds && !result.hasFullData && !result.hasFirstEquivalentRound)
        #expect(result.rounds.map(\.round) == Self.shortfalls.indices.map(UInt32.init))
        #expect(result.rounds.allSatisfy { !$0.hasTost })
        #expect(
            result.rounds.map(\.dice.mean)
                == Self.shortfalls.indices.map { try! SampleSummary(Self.roundDice($0)).mean })
        #expect(result.rounds.map(\.dataShare) == Self.shortfalls.indices.map { Double(40 + 30 * $0) / 400 })

        var boundsAlone = unreferenced
        boundsAlone.bounds = Proto.EquivalenceBounds.with {
            $0.lower = -0.1
            $0.upper = 0.1
        }
        await #expect {
            _ = try await client.call(StatsRPC.analyze, boundsAlone, timeout: ServiceTestSupport.timeout)
        } throws: { error in
            (error as? RPCError).map { $0.code == .invalidArgument && $0.details["field"] == "full_data" } ?? false
        }
        try await stats.stop()
        await client.connection.close()
    }

    @Test func explicitBoundsAreUsedAndInvalidRequestsNameTheProblem() async throws {
        let prefix = ServiceTestSupport.uniquePrefix()
        let stats = try await Self.startStats(prefix: prefix)
        let client = try await ServiceTestSupport.client(prefix: prefix)
        var narrow = Self.request(test: .paired)
        narrow.bounds = Proto.EquivalenceBounds.with {
            $0.lower = -0.001
            $0.upper = 0.001
        }

        let result = try await client.call(StatsRPC.analyze, narrow, timeout: ServiceTestSupport.timeout)

        #expect(result.bounds.lower == -0.001)
        #expect(!result.hasFirstEquivalentRound)
        #expect(result.firstEquivalentShare == 0)

        var noTest = Self.request(test: .unspecified)
        noTest.test = .unspecified
        var missingCase = Self.request(test: .paired)
        missingCase.rounds[2].dice.removeFirst()
        for (request, detail) in [(noTest, ("field", "test")), (missingCase, ("case.id", "test-00"))] {
            await #expect {
                _ = try await client.call(StatsRPC.analyze, request, timeout: ServiceTestSupport.timeout)
            } throws: { error in
                guard let error = error as? RPCError else { return false }
                return error.code == .invalidArgument && error.details[detail.0] == detail.1
            }
        }
        try await stats.stop()
        await client.connection.close()
    }
}
