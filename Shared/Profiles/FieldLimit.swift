/// The closed range a numeric field (or the length of a text or list field) must lie in. A range
/// rejects NaN too, since NaN lies in none.
public struct FieldLimit<Value: Comparable & Sendable>: Sendable {
    /// The field as the contract names it, with its message's path.
    public let field: String
    public let range: ClosedRange<Value>
    /// Appended to the value and the bounds in a violation (`characters`, `seeds`), or empty.
    public let unit: String

    public init(field: String, range: ClosedRange<Value>, unit: String = "") {
        self.field = field
        self.range = range
        self.unit = unit
    }

    public func check(_ value: Value) throws(LimitViolation) {
        guard range.contains(value) else {
            throw LimitViolation(
                field: field, value: "\(value)" + suffix,
                limit: "\(range.lowerBound)…\(range.upperBound)" + suffix)
        }
    }

    private var suffix: String { unit.isEmpty ? "" : " \(unit)" }
}
