/// The paper's optional preprocessing steps, for images that arrive without them (a hospital's own
/// series; BraTS arrives skull-stripped and co-registered), in the order `Preprocessor` runs them.
///
/// A case records the steps it went through, so everything that preprocesses it again (a label
/// imported later, a prediction) repeats them; the raw values are the names that record and the
/// command line use.
public enum PreprocessingStep: String, CaseIterable, Codable, Hashable, Sendable, Comparable {
    /// The brain mask from `SkullStripping` instead of the images' nonzero voxels.
    case skullStripping = "skull-strip"
    /// T2 rigidly registered onto T1c (`RigidRegistration`).
    case registration = "register"
    /// N4 bias field correction of each channel (`BiasFieldCorrection`).
    case biasFieldCorrection = "n4"

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

extension PreprocessingConfiguration {
    /// The optional steps this configuration runs, in their order.
    public var steps: [PreprocessingStep] {
        PreprocessingStep.allCases.filter { step in
            switch step {
            case .skullStripping: skullStripping != nil
            case .registration: t2Registration != nil
            case .biasFieldCorrection: biasFieldCorrection != nil
            }
        }
    }

    /// Turns on exactly `steps`, each with its default settings (the ones documented in
    /// docs/volumes.md and compared with SimpleITK there), and turns the others off.
    public mutating func run(_ steps: Set<PreprocessingStep>) {
        skullStripping = steps.contains(.skullStripping) ? SkullStripping.Configuration() : nil
        t2Registration = steps.contains(.registration) ? RigidRegistration.Configuration() : nil
        biasFieldCorrection = steps.contains(.biasFieldCorrection) ? BiasFieldCorrection.Configuration() : nil
    }
}
