/// The `Store` library of ActiveSeg.
enum StoreNamespace {}
