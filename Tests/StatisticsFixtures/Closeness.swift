/// Relative agreement with a floor, so that tails of 1e-300 are compared digit by digit and values
/// near 0 are not held to an impossible relative standard.
public func close(_ value: Double, _ reference: Double, relative: Double, absolute: Double = 1e-300) -> Bool {
    if value == reference { return true }
    return abs(value - reference) <= max(relative * abs(reference), absolute)
}
