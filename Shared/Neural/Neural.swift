/// The `Neural` library of ActiveSeg.
enum NeuralNamespace {}
