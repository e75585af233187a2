/// The `ActiveLearning` library of ActiveSeg.
enum ActiveLearningNamespace {}
