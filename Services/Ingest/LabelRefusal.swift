/// Why one delivered label was not taken; its description is the reason the person reads, and it
/// names the case by its source name, as the person named the file.
struct LabelRefusal: Error, CustomStringConvertible, Sendable {
    struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        var description: String { name }

        /// The label names no case of the experiment's dataset.
        static let unknownCase = Code(name: "unknownCase")
        /// The round did not pick the case, so it waits for no label of it.
        static let notPicked = Code(name: "notPicked")
        /// The case has another label already; a round trains on the label it received.
        static let conflictingLabel = Code(name: "conflictingLabel")
        /// The file is not a NIfTI mask in the dataset's label coding.
        static let unreadable = Code(name: "unreadable")
        /// The mask's grid or affine is not that of the case's original images.
        static let gridMismatch = Code(name: "gridMismatch")
        /// The case's source images or stored image cannot be read to preprocess the label.
        static let sourceUnavailable = Code(name: "sourceUnavailable")
        /// The preprocessed label could not be written to the artifact store.
        static let storeFailed = Code(name: "storeFailed")
    }

    var code: Code
    /// The case's name in its dataset.
    var caseName: String
    /// The file at fault, when one is.
    var file: String?
    var detail: String

    init(_ code: Code, caseName: String, file: String? = nil, detail: String) {
        self.code = code
        self.caseName = caseName
        self.file = file
        self.detail = detail
    }

    var description: String {
        "case \(caseName): \(detail)" + (file.map { " (\($0))" } ?? "")
    }
}
