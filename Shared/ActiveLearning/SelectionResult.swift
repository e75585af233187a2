/// The cases picked in one round.
public struct SelectionResult: Sendable, Equatable {
    /// The picked case ids, in the order they were picked.
    public var picked: [String]
    /// The top-K candidates the pick was made from, most uncertain first.
    public var topK: [String]
    /// Set when fewer candidates than k were offered and all of them were taken.
    public var note: String?

    public init(picked: [String], topK: [String], note: String? = nil) {
        self.picked = picked
        self.topK = topK
        self.note = note
    }
}
