import Domain
import Proto
import Testing

/// The domain vocabulary's wire form: every value the product runs survives the round trip, and
/// what it does not run is refused rather than mapped to something else.
struct DomainWireFormTests {
    @Test(arguments: Strategy.allCases)
    func everyStrategyRoundTripsThroughItsMethod(_ strategy: Strategy) {
        #expect(Strategy(UncertaintyMethod(strategy)) == strategy)
    }

    @Test(arguments: [UncertaintyMethod.unspecified, .entropy, .bald, .UNRECOGNIZED(99)])
    func methodsNoExperimentRunsHaveNoStrategy(_ method: UncertaintyMethod) {
        #expect(Strategy(method) == nil)
    }

    @Test func everyMethodButTheRefusedOnesNamesADistinctStrategy() {
        let named = UncertaintyMethod.allCases.compactMap(Strategy.init)
        #expect(Set(named) == Set(Strategy.allCases) && named.count == Strategy.allCases.count)
    }

    @Test(arguments: RedundancyRestriction.allCases)
    func everyRestrictionRoundTrips(_ restriction: RedundancyRestriction) {
        #expect(RedundancyRestriction(Restriction(restriction)) == restriction)
    }

    @Test func anUnsetRestrictionIsRefusedNotReadAsNone() {
        #expect(RedundancyRestriction(Restriction.unspecified) == nil)
        #expect(StrategyName(.margins, .unspecified) == nil)
        #expect(StrategyName(.entropy, .none) == nil)
    }

    @Test func everyStrategyNameParsesBackFromItsSpelling() {
        for strategy in Strategy.allCases {
            for restriction in RedundancyRestriction.allCases where strategy.ranksPool || restriction == .none {
                let name = StrategyName(strategy: strategy, restriction: restriction)
                #expect(StrategyName(name.description) == name, "\(name)")
            }
        }
        #expect(
            StrategyName(strategy: .dropoutTrainTest, restriction: .nonSimilar).description
                == "dropout-train-test+non-similar")
        #expect(StrategyName(.bootstrap, .none)?.description == "bootstrap")
    }

    @Test(arguments: [
        "entropy", "bald", "margins+none", "margins+", "+representative", "random+similar",
        "random+representative", "random+non-similar", "",
    ])
    func spellingsOfNothingTheProductRunsAreRefused(_ text: String) {
        #expect(StrategyName(text) == nil)
    }

    @Test(arguments: ProfileName.allCases)
    func everyProfileRoundTrips(_ name: ProfileName) {
        #expect(ProfileName(Profile(name)) == name)
    }

    @Test func anUnsetProfileNamesNoProfile() {
        #expect(ProfileName(Profile.unspecified) == nil)
        #expect(ProfileName(Profile.UNRECOGNIZED(9)) == nil)
    }

    @Test func everyRoundPhaseHasItsOwnWireValue() {
        let sent = Domain.RoundPhase.allCases.map(Proto.RoundPhase.init)
        #expect(Set(sent).count == Domain.RoundPhase.allCases.count)
        #expect(!sent.contains(.unspecified))
        #expect(Proto.RoundPhase(Domain.RoundPhase.finished) == .done)
    }

    @Test(arguments: Domain.CaseRole.allCases)
    func everyCaseRoleRoundTrips(_ role: Domain.CaseRole) {
        #expect(Domain.CaseRole(Proto.CaseRole(role)) == role)
    }

    @Test func aScoreJobWithoutARoleHasNone() {
        #expect(Domain.CaseRole(ScoreJob().role) == nil)
    }
}
