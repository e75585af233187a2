import ArgumentParser
import Profiles

/// A profile named on the command line (`tiny`, `cpu`, `paper`).
struct ProfileArgument: ExpressibleByArgument, Sendable {
    let profile: ExperimentProfile

    init?(argument: String) {
        guard let profile = try? ExperimentProfile(named: argument) else { return nil }
        self.profile = profile
    }

    static var allValueStrings: [String] { ExperimentProfile.all.map(\.name.rawValue) }
}
