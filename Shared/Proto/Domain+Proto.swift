import Domain

// The wire form of the domain's strategy vocabulary, in one place: every service converts through
// these, so a value the contract adds is refused by name rather than guessed.

extension Strategy {
    /// The strategy a request names; nil for an unset method, and for entropy and BALD, which the
    /// contract lists and the scorer computes but no experiment stores or runs.
    public init?(_ method: UncertaintyMethod) {
        switch method {
        case .random: self = .random
        case .dropoutTrainTest: self = .dropoutTrainTest
        case .dropoutTest: self = .dropoutTest
        case .bootstrap: self = .bootstrap
        case .margins: self = .margins
        case .unspecified, .entropy, .bald, .UNRECOGNIZED: return nil
        }
    }
}

extension UncertaintyMethod {
    public init(_ strategy: Strategy) {
        switch strategy {
        case .random: self = .random
        case .dropoutTrainTest: self = .dropoutTrainTest
        case .dropoutTest: self = .dropoutTest
        case .bootstrap: self = .bootstrap
        case .margins: self = .margins
        }
    }
}

extension RedundancyRestriction {
    /// The restriction a request names; nil when unset, so a forgotten field never means none.
    public init?(_ restriction: Restriction) {
        switch restriction {
        case .none: self = .none
        case .representative: self = .representative
        case .nonSimilar: self = .nonSimilar
        case .unspecified, .UNRECOGNIZED: return nil
        }
    }
}

extension Restriction {
    public init(_ restriction: RedundancyRestriction) {
        switch restriction {
        case .none: self = .none
        case .representative: self = .representative
        case .nonSimilar: self = .nonSimilar
        }
    }
}

extension StrategyName {
    /// The name of a strategy and restriction as a spec or an outcome carries them; nil when
    /// either is unset or not one the product runs.
    public init?(_ method: UncertaintyMethod, _ restriction: Restriction) {
        guard let strategy = Strategy(method), let restriction = RedundancyRestriction(restriction) else { return nil }
        self.init(strategy: strategy, restriction: restriction)
    }
}

extension ProfileName {
    /// The profile a request names; nil when unset.
    public init?(_ profile: Profile) {
        switch profile {
        case .paper: self = .paper
        case .cpu: self = .cpu
        case .tiny: self = .tiny
        case .unspecified, .UNRECOGNIZED: return nil
        }
    }
}

extension Profile {
    public init(_ name: ProfileName) {
        switch name {
        case .paper: self = .paper
        case .cpu: self = .cpu
        case .tiny: self = .tiny
        }
    }
}

extension RoundPhase {
    /// The wire form of a round's phase, as round events and experiment status carry it.
    public init(_ phase: Domain.RoundPhase) {
        switch phase {
        case .scoring: self = .scoring
        case .selecting: self = .selecting
        case .annotating: self = .annotating
        case .training: self = .training
        case .evaluating: self = .evaluating
        case .finished: self = .done
        }
    }
}

extension CaseRole {
    /// The wire form of a case's role in a score job.
    public init(_ role: Domain.CaseRole) {
        switch role {
        case .candidate: self = .candidate
        case .annotated: self = .annotated
        case .test: self = .test
        }
    }
}

extension Domain.CaseRole {
    /// The role a score job names; nil when unset, which the scorer refuses.
    public init?(_ role: Proto.CaseRole) {
        switch role {
        case .candidate: self = .candidate
        case .annotated: self = .annotated
        case .test: self = .test
        case .unspecified, .UNRECOGNIZED: return nil
        }
    }
}
