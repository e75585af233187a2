import ActiveLearning
import Domain
import Foundation
import Proto
import ServiceRuntime
import SwiftProtobuf
import TestSupport
import Testing

@testable import SelectorService

@Suite("Selector service", .tags(.stack), .needsLocalStack)
struct SelectorServiceTests {
    /// A pool of 30 scored candidates with 8-d features and 4 annotated cases; scores and features
    /// are smooth functions of the index, so several restrictions pick differently. The source
    /// names sort in another order than the ids.
    static func request(method: UncertaintyMethod, restriction: Restriction, zScore: Bool) -> SelectRequest {
        SelectRequest.with {
            $0.requestID = UUID().uuidString
            $0.candidates = (0..<30).map { index in
                Candidate.with {
                    $0.caseID = String(format: "case-%02d", index)
                    $0.sourceName = String(format: "Synth_%02d", index * 7 % 30)
                    $0.score = 0.5 + 0.4 * sin(Double(index) * 1.7)
                    $0.features = (0..<8).map { channel in
                        Float(cos(Double(index * (channel + 1)) * 0.37) + Double(channel))
                    }
                }
            }
            $0.annotated = (0..<4).map { index in
                CaseFeatures.with {
                    $0.caseID = "annotated-\(index)"
                    $0.features = (0..<8).map { channel in Float(sin(Double(index + channel) * 0.9) + Double(channel)) }
                }
            }
            $0.topK = 12
            $0.pick = 5
            $0.method = method
            $0.restriction = restriction
            $0.zScoreFeatures = zScore
            $0.seed = 20240917
        }
    }

    /// What the ActiveLearning library picks for `request`, computed in-process.
    static func libraryPicks(_ request: SelectRequest) throws -> [String] {
        if request.method == .random {
            return try RandomQuery.select(
                request.candidates, by: \.sourceName, count: Int(request.pick), seed: request.seed
            )
            .map(\.caseID)
        }
        let restriction = RedundancyRestriction(request.restriction) ?? .none
        let selector = try CaseSelector(
            topK: Int(request.topK), count: Int(request.pick), restriction: restriction,
            standardizesFeatures: request.zScoreFeatures)
        return try selector.select(
            request.candidates.map {
                SelectionCandidate(caseID: $0.caseID, sourceName: $0.sourceName, score: $0.score, features: $0.features)
            },
            annotatedFeatures: request.annotated.map(\.features)
        ).picked
    }

    static func startSelector(prefix: String, instance: String = "selector-1") async throws -> RunningServer {
        let configuration = try ServiceTestSupport.configuration("selector", prefix: prefix, instance: instance)
        let server = buildSelectorServer(
            configuration: configuration,
            connection: try await ServiceTestSupport.connect(configuration),
            logger: ServiceTestSupport.logger)
        return try await RunningServer.start(server, ping: SelectorRPC.ping)
    }

    @Test(
        "picks equal the library's",
        arguments: [
            (UncertaintyMethod.bootstrap, Restriction.none, false),
            (.dropoutTrainTest, .representative, false),
            (.dropoutTrainTest, .representative, true),
            (.margins, .nonSimilar, true),
            (.random, .none, false),
        ])
    func picksEqualTheLibrary(method: UncertaintyMethod, restriction: Restriction, zScore: Bool) async throws {
        let prefix = ServiceTestSupport.uniquePrefix()
        let selector = try await Self.startSelector(prefix: prefix)
        let client = try await ServiceTestSupport.client(prefix: prefix)
        let request = Self.request(method: method, restriction: restriction, zScore: zScore)

        let result = try await client.call(SelectorRPC.select, request, timeout: ServiceTestSupport.timeout)

        let expected = try Self.libraryPicks(request)
        #expect(result.requestID == request.requestID)
        #expect(result.pickedCaseIds == expected)
        #expect(result.pickedCaseIds.count == 5)
        #expect(result.note.isEmpty)
        try await selector.stop()
        await client.connection.close()
    }

    @Test func invalidRequestsGetInvalidArgumentNamingTheField() async throws {
        let prefix = ServiceTestSupport.uniquePrefix()
        let selector = try await Self.startSelector(prefix: prefix)
        let client = try await ServiceTestSupport.client(prefix: prefix)
        var tooSmallPool = Self.request(method: .bootstrap, restriction: .representative, zScore: false)
        tooSmallPool.topK = 3
        var noMethod = Self.request(method: .unspecified, restriction: .none, zScore: false)
        noMethod.method = .unspecified
        var ragged = Self.request(method: .margins, restriction: .nonSimilar, zScore: false)
        ragged.candidates[7].features.removeLast()
        var unnamed = Self.request(method: .random, restriction: .none, zScore: false)
        unnamed.candidates[3].sourceName = ""

        for (request, field) in [(tooSmallPool, "top_k"), (noMethod, "method"), (unnamed, "candidates.source_name")] {
            await #expect {
                _ = try await client.call(SelectorRPC.select, request, timeout: ServiceTestSupport.timeout)
            } throws: { error in
                guard let error = error as? RPCError else { return false }
                return error.code == .invalidArgument && error.details["field"] == field
                    && error.details["request.id"] == request.requestID
            }
        }
        // Rejected by the library: the message is the library's, naming the case.
        await #expect {
            _ = try await client.call(SelectorRPC.select, ragged, timeout: ServiceTestSupport.timeout)
        } throws: { error in
            guard let error = error as? RPCError else { return false }
            return error.code == .invalidArgument && error.details["subject"] == "case case-07"
        }
        try await selector.stop()
        await client.connection.close()
    }

    @Test(
        "a cohort imported again, with new ids, gets the same picks", arguments: [UncertaintyMethod.random, .margins])
    func picksFollowTheSourceNamesNotTheIds(method: UncertaintyMethod) throws {
        var request = Self.request(method: method, restriction: .none, zScore: false)
        // Equal scores, so the ranking rests on the tie-break alone.
        for index in request.candidates.indices { request.candidates[index].score = 0.5 }
        var reimported = request
        for index in reimported.candidates.indices {
            reimported.candidates[index].caseID = String(format: "new-%02d", 29 - index)
        }
        func pickedNames(_ request: SelectRequest) throws -> [String] {
            let names = Dictionary(uniqueKeysWithValues: request.candidates.map { ($0.caseID, $0.sourceName) })
            return try SelectionHandler().select(request, logger: ServiceTestSupport.logger).pickedCaseIds.map {
                names[$0]!
            }
        }
        let picked = try pickedNames(request)
        #expect(picked.count == 5)
        #expect(try pickedNames(reimported) == picked)
    }

    @Test func aShortPoolIsTakenWholeWithANote() async throws {
        let prefix = ServiceTestSupport.uniquePrefix()
        let selector = try await Self.startSelector(prefix: prefix)
        let client = try await ServiceTestSupport.client(prefix: prefix)
        var request = Self.request(method: .random, restriction: .none, zScore: false)
        request.candidates = Array(request.candidates.prefix(3))

        let result = try await client.call(SelectorRPC.select, request, timeout: ServiceTestSupport.timeout)

        #expect(Set(result.pickedCaseIds) == Set(request.candidates.map(\.caseID)))
        #expect(result.note.contains("only 3 candidates"))
        try await selector.stop()
        await client.connection.close()
    }

    @Test func twoWorkersOfOneQueueGroupSplitTheRequests() async throws {
        let prefix = ServiceTestSupport.uniquePrefix()
        let first = try await Self.startSelector(prefix: prefix, instance: "selector-a")
        let second = try await Self.startSelector(prefix: prefix, instance: "selector-b")
        let client = try await ServiceTestSupport.client(prefix: prefix)
        let connection = client.connection
        let inbox = "\(prefix).replies"
        let replies = try await connection.subscribe(to: inbox)
        try await connection.flush()

        let request = try Self.request(method: .margins, restriction: .representative, zScore: true).serializedData()
        let subject = "\(prefix).\(SelectorRPC.select.subject)"
        for _ in 0..<40 {
            try await connection.publish(request, to: subject, replyTo: inbox)
        }
        try await connection.flush()
        let answered = try await within(ServiceTestSupport.timeout, "40 replies") {
            var iterator = replies.makeAsyncIterator()
            var answered: [Data] = []
            while answered.count < 40, let reply = await iterator.next() { answered.append(reply.payload) }
            return answered
        }
        var pingedInstances: Set<String> = []
        for _ in 0..<40 {
            pingedInstances.insert(
                try await client.call(SelectorRPC.ping, HealthPing(), timeout: ServiceTestSupport.timeout).instanceID)
        }
        // Both workers stop, sending whatever they still hold; then nothing may be left over.
        try await first.stop()
        try await second.stop()
        try await connection.flush()
        replies.unsubscribe()
        let extra = await replies.reduce(0) { count, _ in count + 1 }

        let expected = try Self.libraryPicks(Self.request(method: .margins, restriction: .representative, zScore: true))
        #expect(answered.count == 40)
        #expect(try answered.allSatisfy { try SelectResult(serializedBytes: $0).pickedCaseIds == expected })
        #expect(extra == 0, "a request was answered by both workers")
        // With a fair split the chance that one worker answers all 40 pings is 2⁻³⁹.
        #expect(pingedInstances == ["selector-a", "selector-b"])
        await connection.close()
    }
}
