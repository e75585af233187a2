import Domain

/// The Dice of thresholded (≥ 0.5) predictions pooled over several cases: 2·Σ|P ∩ T| / (Σ|P| + Σ|T|).
///
/// This is nnU-Net's validation "global Dice". Unlike the mean of per-case Dice it gives a model
/// that predicts nothing 0 as soon as one case has a foreground voxel, so choosing an epoch by it
/// never prefers an all-background network. Over cases without any foreground it is 1 when
/// nothing is predicted and 0 otherwise, the per-case convention.
public struct PooledDice: Sendable, Equatable {
    /// The counts over every case added so far.
    public private(set) var overlap = DiceOverlap()

    public init() {}

    /// Adds one case's thresholded probabilities and binary label, in the same voxel order.
    public mutating func add(probabilities: [Float], label: [UInt8]) {
        precondition(
            probabilities.count == label.count, "\(probabilities.count) probabilities for \(label.count) labels")
        for i in 0..<label.count {
            overlap.add(predicted: probabilities[i] >= 0.5, reference: label[i] > 0)
        }
    }

    public var value: Double { overlap.dice }
}
