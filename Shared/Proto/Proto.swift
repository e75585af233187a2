/// The `Proto` library of ActiveSeg.
enum ProtoNamespace {}
