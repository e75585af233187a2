import Foundation
import Proto
import Testing

/// The subject map is derived from the `service` blocks; these tests hold it to the declarations
/// and to the rule `activeseg.v1.<service>.<method>` in lower case.
@Suite struct RPCSubjectTests {
    /// An rpc as declared in a `.proto` file.
    struct Declaration: Hashable, CustomStringConvertible {
        var service: String
        var method: String
        var request: String
        var response: String
        var description: String { "\(service).\(method)(\(request)) -> \(response)" }
    }

    /// Reads the rpc declarations straight from the sources, independently of the generator, so a
    /// generator that skips or garbles a method is caught.
    static func declarations() throws -> [Declaration] {
        let servicePattern = #/service\s+(\w+)\s*\{/#
        let rpcPattern = #/rpc\s+(\w+)\s*\(\s*(\w+)\s*\)\s*returns\s*\(\s*(\w+)\s*\)\s*;/#
        var found: [Declaration] = []
        for file in try RepositoryLayout.protoFiles() {
            let text = String(decoding: try RepositoryLayout.contents(ofProto: file), as: UTF8.self)
            var service: String?
            for rawLine in text.split(separator: "\n") {
                let line = rawLine.trimmingCharacters(in: .whitespaces)
                if let match = line.prefixMatch(of: servicePattern) {
                    service = String(match.1)
                } else if line.hasPrefix("}") {
                    service = nil
                } else if let service, let match = line.prefixMatch(of: rpcPattern) {
                    found.append(
                        Declaration(
                            service: service, method: String(match.1),
                            request: "activeseg.v1.\(match.2)", response: "activeseg.v1.\(match.3)"
                        ))
                }
            }
        }
        return found
    }

    @Test func everyDeclaredMethodIsGeneratedAndNothingElse() throws {
        let declared = Set(try Self.declarations())
        let generated = Set(
            ProtoContracts.methods.map {
                Declaration(
                    service: $0.service, method: $0.method,
                    request: $0.requestMessageName, response: $0.responseMessageName
                )
            })
        #expect(declared.count > 6, "expected the services of every .proto file, found \(declared)")
        #expect(
            generated == declared,
            "only declared: \(declared.subtracting(generated)); only generated: \(generated.subtracting(declared))"
        )
        #expect(ProtoContracts.methods.count == generated.count, "a method is listed twice")
    }

    @Test func everySubjectFollowsTheRule() {
        for method in ProtoContracts.methods {
            let expected = "activeseg.v1.\(method.service.lowercased()).\(method.method.lowercased())"
            #expect(method.subject == expected, "\(method)")
        }
        let subjects = ProtoContracts.methods.map(\.subject)
        #expect(Set(subjects).count == subjects.count, "two methods share a subject")
    }

    @Test func everyServiceAnswersPing() {
        let services = Set(ProtoContracts.methods.map(\.service))
        #expect(services == ["Ingest", "Trainer", "Scorer", "Selector", "Stats", "Orchestrator", "Dashboard"])
        for service in services {
            let ping = ProtoContracts.methods.first { $0.service == service && $0.method == "Ping" }
            #expect(ping?.subject == "activeseg.v1.\(service.lowercased()).ping", "\(service) has no Ping")
            #expect(ping?.responseMessageName == "activeseg.v1.HealthPong")
        }
    }

    @Test func typedMethodsCarryTheirSubjects() {
        #expect(SelectorRPC.select.subject == "activeseg.v1.selector.select")
        #expect(TrainerRPC.train.subject == "activeseg.v1.trainer.train")
        #expect(ScorerRPC.score.subject == "activeseg.v1.scorer.score")
        #expect(IngestRPC.ingest.subject == "activeseg.v1.ingest.ingest")
        #expect(StatsRPC.analyze.subject == "activeseg.v1.stats.analyze")
        #expect(IngestRPC.importLabels.subject == "activeseg.v1.ingest.importlabels")
        #expect(OrchestratorRPC.advance.subject == "activeseg.v1.orchestrator.advance")
        let create = AnyRPCMethod(OrchestratorRPC.create)
        #expect(create.requestMessageName == "activeseg.v1.CreateExperimentRequest")
        #expect(create.responseMessageName == "activeseg.v1.ExperimentStatus")
    }
}
