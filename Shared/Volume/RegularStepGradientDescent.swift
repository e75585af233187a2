/// Gradient descent with a step of fixed length that is halved whenever the gradient turns back, as
/// ITK's RegularStepGradientDescentOptimizerv4 does.
///
/// The step's length, not the gradient's size, sets how far parameters move, so the same settings
/// work whatever the metric's scale (MI in nats is small and flat far from the optimum). Steps are
/// taken in scaled parameters q = scale · p, with each scale the millimetres one unit of its
/// parameter moves the image (1 for a translation, about the brain's radius for an angle in
/// radians), so a step of 1 moves voxels about 1 mm whichever parameters it changes.
struct RegularStepGradientDescent {
    /// Why the descent stopped.
    enum Stop: String, Sendable {
        case minimumStep, smallGradient, maximumIterations
    }

    var learningRate: Double
    var minimumStep: Double
    var relaxationFactor: Double
    var maximumIterations: Int
    var gradientTolerance: Double
    /// Millimetres per unit of each parameter.
    var scales: [Double]

    /// Descends from `start`; `evaluate` gives the value and gradient at a position, and may throw to
    /// stop the descent (e.g. when the images no longer overlap).
    func minimise(
        from start: [Double], _ evaluate: ([Double]) throws(RegistrationError) -> (value: Double, gradient: [Double])
    ) throws(RegistrationError) -> (position: [Double], iterations: Int, stop: Stop) {
        var position = start
        var step = learningRate
        var previous: [Double]?
        for iteration in 0..<maximumIterations {
            let gradient = try evaluate(position).gradient
            let scaled = zip(gradient, scales).map { $0 / $1 }
            let magnitude = scaled.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if magnitude < gradientTolerance { return (position, iteration, .smallGradient) }
            if let previous, zip(previous, scaled).reduce(0, { $0 + $1.0 * $1.1 }) < 0 { step *= relaxationFactor }
            if step < minimumStep { return (position, iteration, .minimumStep) }
            for index in position.indices { position[index] -= step * scaled[index] / magnitude / scales[index] }
            previous = scaled
        }
        return (position, maximumIterations, .maximumIterations)
    }
}
