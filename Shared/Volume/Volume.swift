/// The `Volume` library of ActiveSeg.
enum VolumeNamespace {}
