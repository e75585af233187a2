/// The `Artifacts` library of ActiveSeg.
enum ArtifactsNamespace {}
