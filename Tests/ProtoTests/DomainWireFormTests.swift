import Domain
import Proto
import Testing

/// The strategy vocabulary's wire form: every value the product runs survives the round trip, and
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
            for restriction in RedundancyRestriction.allCases {
                let name = StrategyName(strategy: strategy, restriction: restriction)
                #expect(StrategyName(name.description) == name, "\(name)")
            }
        }
        #expect(StrategyName(strategy: .dropoutTrainTest, restriction: .nonSimilar).description
            == "dropout-train-test+non-similar")
        #expect(StrategyName(.bootstrap, .none)?.description == "bootstrap")
    }

    @Test(arguments: ["entropy", "bald", "margins+none", "margins+", "+representative", "random+similar", ""])
    func spellingsOfNothingTheProductRunsAreRefused(_ text: String) {
        #expect(StrategyName(text) == nil)
    }
}
