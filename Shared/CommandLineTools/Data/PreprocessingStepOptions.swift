import ArgumentParser
import Volume

/// The optional preprocessing steps as flags, shared by `ingest` and `model predict` so a case is
/// predicted with the steps it was ingested with. Each step runs with its default settings
/// (docs/volumes.md, Preprocessing steps); `activeseg volume n4|register|skull-strip` expose them.
struct PreprocessingStepOptions: ParsableArguments {
    @Flag(help: "Strip skull and scalp (for images that still have them; BraTS is already stripped).")
    var skullStrip = false

    @Flag(help: "Register T2 rigidly onto T1c (for series that are not co-registered; BraTS is).")
    var register = false

    @Flag(help: "Correct each channel's bias field with N4.")
    var n4 = false

    /// The steps asked for.
    var steps: Set<PreprocessingStep> {
        Set(
            [(skullStrip, PreprocessingStep.skullStripping), (register, .registration), (n4, .biasFieldCorrection)]
                .filter(\.0).map(\.1))
    }
}
