import Artifacts
import Bus
import Domain
import Foundation
import Proto
import ServiceRuntime
import Store
import SwiftProtobuf
import TestSupport
import Testing
import Volume

@testable import IngestService

@Suite("Ingest service", .tags(.stack), .needsLocalStack)
struct IngestServiceTests {
    @Test("a cohort with a broken case is imported, split, stored and announced; repeating it changes nothing")
    func importsCohortIdempotently() async throws {
        try await IngestEnvironment.with { environment in
            let dataset = DatasetID.random()
            let request = try PhantomCohort.request(dataset: dataset)

            let result = try await environment.client.call(
                IngestRPC.ingest, request, timeout: IngestEnvironment.timeout)

            #expect(result.requestID == request.requestID)
            #expect(result.datasetID == dataset.wireForm)
            let names = result.outcomes.map {
                $0.ingested.sourceName.isEmpty ? $0.failed.sourceName : $0.ingested.sourceName
            }
            #expect(
                names == [PhantomCohort.brokenCase]
                    + (1...PhantomCohort.goodCases).map { String(format: "Synth_%05d", $0) })
            let ingested = result.outcomes.compactMap { outcome -> CaseIngested? in
                if case .ingested(let event) = outcome.outcome { return event } else { return nil }
            }
            let failed = result.outcomes.compactMap { outcome -> CaseFailed? in
                if case .failed(let event) = outcome.outcome { return event } else { return nil }
            }
            #expect(ingested.count == PhantomCohort.goodCases)
            try #require(failed.count == 1)
            let t1cFile = "\(PhantomCohort.brokenCase)_t1ce.nii.gz"
            #expect(failed[0].sourceName == PhantomCohort.brokenCase)
            #expect(failed[0].reason.contains("case \(PhantomCohort.brokenCase)"))
            #expect(failed[0].reason.contains(t1cFile))
            #expect(failed[0].file.hasSuffix(t1cFile))

            for event in ingested {
                let imageFile = try environment.niftiCopy(event.caseRef.image.sha256)
                let labelFile = try environment.niftiCopy(event.caseRef.label.sha256)
                defer {
                    try? FileManager.default.removeItem(at: imageFile)
                    try? FileManager.default.removeItem(at: labelFile)
                }
                let channels = try NIfTI.readChannels(at: imageFile)
                #expect(channels.count == 2)
                #expect(channels.allSatisfy { [$0.shape.x, $0.shape.y, $0.shape.z].map(UInt32.init) == event.shape })
                let label = try NIfTI.readLabels(at: labelFile, allowedValues: [0, 1])
                #expect(UInt64(label.voxels.filter { $0 == 1 }.count) == event.labelVoxels)
                #expect(event.caseRef.image.sizeBytes > 0)
            }

            let rows = try await CaseRepository.cases(in: dataset, on: environment.postgres)
            #expect(rows.count == PhantomCohort.goodCases + 1)
            #expect(
                rows.first { $0.sourceName == PhantomCohort.brokenCase }?.state == .failed(reason: failed[0].reason))
            let testCases = rows.filter {
                if case .ingested(.test, _, _) = $0.state { return true } else { return false }
            }
            #expect(testCases.count == Int((IngestPlan.defaultTestShare * Double(PhantomCohort.goodCases)).rounded()))
            for event in ingested {
                let row = try #require(rows.first { $0.id.wireForm == event.caseRef.caseID })
                guard case .ingested(_, let image, let label) = row.state else {
                    Issue.record("case \(event.sourceName) is not stored as ingested")
                    continue
                }
                #expect(image == event.caseRef.image.sha256)
                #expect(label == event.caseRef.label.sha256)
                #expect(row.labelVoxels.map(UInt64.init) == event.labelVoxels, "the row keeps the label's voxel count")
            }

            let events = try await environment.storedEvents()
            #expect(events.count == PhantomCohort.goodCases + 1)
            let scope = dataset.wireForm
            let ingestedEvents = try events.filter { $0.subject.hasSuffix(".case.ingested") }
                .map { try EventEnvelope<CaseIngested>(decoding: $0) }
            let failedEvents = try events.filter { $0.subject.hasSuffix(".case.failed") }
                .map { try EventEnvelope<CaseFailed>(decoding: $0) }
            #expect(Set(ingestedEvents.map(\.body.caseRef.caseID)) == Set(ingested.map(\.caseRef.caseID)))
            #expect(failedEvents.map(\.body.sourceName) == [PhantomCohort.brokenCase])
            #expect(
                events.allSatisfy {
                    $0.subject.hasPrefix("\(environment.prefix).activeseg.v1.events.\(scope).")
                        && $0.headers["Nats-Msg-Id"] == $0.headers["ce-id"]
                })

            let filesBefore = try environment.artifactFiles()
            var repeated = request
            repeated.requestID = UUID().uuidString
            repeated.splitSeed = 99
            repeated.testShare = 0.5
            let again = try await environment.client.call(
                IngestRPC.ingest, repeated, timeout: IngestEnvironment.timeout)

            #expect(try await CaseRepository.cases(in: dataset, on: environment.postgres) == rows)
            #expect(try environment.artifactFiles() == filesBefore)
            #expect(again.outcomes.map(\.ingested.caseRef) == result.outcomes.map(\.ingested.caseRef))
            #expect(again.outcomes.map(\.failed.reason) == result.outcomes.map(\.failed.reason))
            #expect(
                try await environment.events.jetStream.streamState(environment.events.name).messages
                    == UInt64(events.count))
        }
    }

    @Test("malformed requests get an error reply and the worker goes on serving")
    func malformedRequestsAreAnswered() async throws {
        try await IngestEnvironment.with { environment in
            let subject = environment.configuration.subject(for: AnyRPCMethod(IngestRPC.ingest))
            let reply = try await environment.client.connection.request(
                Data([0xff, 0xff, 0xff]), to: subject,
                timeout: .seconds(30))
            let garbage = try ErrorReply(serializedBytes: reply.payload)
            #expect(garbage.code == .invalidArgument)

            var noUUID = try PhantomCohort.request(dataset: .random())
            noUUID.datasetID = "dataset-1"
            await #expect { try await environment.client.call(IngestRPC.ingest, noUUID) } throws: { error in
                (error as? RPCError)?.code == .invalidArgument && (error as? RPCError)?.details["field"] == "dataset_id"
            }
            var missing = try PhantomCohort.request(dataset: .random())
            missing.brats.path = "/nonexistent/brats"
            await #expect { try await environment.client.call(IngestRPC.ingest, missing) } throws: { error in
                (error as? RPCError)?.code == .notFound
            }
            var noSource = try PhantomCohort.request(dataset: .random())
            noSource.source = nil
            await #expect { try await environment.client.call(IngestRPC.ingest, noSource) } throws: { error in
                (error as? RPCError)?.details["field"] == "source"
            }

            let served = try await environment.client.call(
                IngestRPC.ingest, PhantomCohort.request(dataset: .random()),
                timeout: IngestEnvironment.timeout)
            #expect(served.outcomes.count == PhantomCohort.goodCases + 1)
        }
    }
}
