/// The `Statistics` library of ActiveSeg.
enum StatisticsNamespace {}
