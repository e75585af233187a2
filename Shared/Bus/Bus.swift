/// The `Bus` library of ActiveSeg.
enum BusNamespace {}
