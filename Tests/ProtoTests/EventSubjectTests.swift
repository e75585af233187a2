import Proto
import Testing

/// Event subjects put an id into one NATS token; ids that would change the subject's shape are
/// refused before anything is published.
@Suite struct EventSubjectTests {
    static let experiment = "0b6f3c5e-8f1d-4f57-a7a6-52d0a1b0e9c4"

    @Test func buildsSubjectFromScopeAndKind() throws {
        #expect(
            try EventSubject.subject(.roundFinished, scope: Self.experiment)
                == "activeseg.v1.events.0b6f3c5e-8f1d-4f57-a7a6-52d0a1b0e9c4.round.finished")
        #expect(
            try EventSubject.subject(for: CaseFailed.self, scope: "brats-2020")
                == "activeseg.v1.events.brats-2020.case.failed")
        #expect(
            try EventSubject.all(scope: Self.experiment)
                == "activeseg.v1.events.0b6f3c5e-8f1d-4f57-a7a6-52d0a1b0e9c4.>")
        #expect(EventSubject.all == "activeseg.v1.events.>")
    }

    @Test(
        "refuses ids that are not one token",
        arguments: [
            "exp.1", "exp*", "exp>", ">", "exp 1", "exp\t1", "exp\n", " exp", "exp\u{00A0}1",
        ])
    func refusesInvalidScope(_ scope: String) {
        #expect {
            try EventSubject.subject(.roundStarted, scope: scope)
        } throws: { error in
            (error as? EventSubjectError)?.code == .invalidCharacter
        }
        #expect(throws: EventSubjectError.self) { try EventSubject.all(scope: scope) }
    }

    @Test func refusesEmptyScope() {
        #expect(throws: EventSubjectError(code: .emptyScope, scope: "")) {
            try EventSubject.subject(.caseIngested, scope: "")
        }
    }

    @Test func errorNamesTheOffendingCharacter() {
        do {
            _ = try EventSubject.subject(.phaseChanged, scope: "run.7")
            Issue.record("a dotted id was accepted")
        } catch {
            #expect(error.character == ".")
            #expect(error.description.contains("\"run.7\""))
        }
    }

    @Test func everyKindAndItsMessageAgree() {
        for kind in EventKind.allCases {
            #expect(kind.messageType.kind == kind, "\(kind) carries \(kind.messageType)")
        }
        let messageNames = EventKind.allCases.map { $0.messageType.protoMessageName }
        #expect(Set(messageNames).count == EventKind.allCases.count, "two kinds carry the same message")
    }

    @Test func kindsAreTwoSubjectTokens() {
        for kind in EventKind.allCases {
            let tokens = kind.rawValue.split(separator: ".", omittingEmptySubsequences: false)
            #expect(tokens.count == 2 && tokens.allSatisfy { !$0.isEmpty && $0 == $0.lowercased() }, "\(kind)")
        }
    }
}
