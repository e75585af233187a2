/// Why a case or a file could not be read, preprocessed or imported.
///
/// Ingest records the failure against the case and goes on with the next one, so the error names the
/// case and the file a person has to look at, and its `code` lets a service decide without parsing
/// text (a missing file is reported differently from a corrupt one).
public struct VolumeError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The file does not exist or cannot be opened.
        public static let missingFile = Code("missingFile")
        /// The bytes are not a NIfTI-1 or NIfTI-2 image.
        public static let notNIfTI = Code("notNIfTI")
        /// A NIfTI header with fields no valid file has: dim[0] outside 1...7, a size below 1, a data
        /// offset before the header or past the cap on header extensions.
        public static let invalidHeader = Code("invalidHeader")
        /// A header whose voxels are in a separate file (a .hdr/.img pair): only single-file images
        /// are read, so a path never makes the reader open a file beside it.
        public static let headerImagePair = Code("headerImagePair")
        /// The gzip stream or the voxel data ends early or is damaged.
        public static let corruptData = Code("corruptData")
        /// A datatype other than uint8, int8, int16, uint16, int32, float32 or float64.
        public static let unsupportedDatatype = Code("unsupportedDatatype")
        /// Not 3D and not 4D with a single volume.
        public static let unsupportedDimensions = Code("unsupportedDimensions")
        /// The voxel count, of a file or of a grid a step would make, is above the configured memory
        /// cap or does not fit a 64-bit count.
        public static let tooLarge = Code("tooLarge")
        /// NaN or infinite voxel values.
        public static let nonFiniteVoxels = Code("nonFiniteVoxels")
        /// Every voxel is zero.
        public static let allZero = Code("allZero")
        /// Label values outside the declared label set, or not integers in 0...255.
        public static let unexpectedLabel = Code("unexpectedLabel")
        /// Two volumes of one case do not share their grid (dims or affine) where they must.
        public static let gridMismatch = Code("gridMismatch")
        /// Two modalities do not overlap in world space.
        public static let noOverlap = Code("noOverlap")
        /// T2 could not be registered onto T1c (`RegistrationError` in the detail).
        public static let registrationFailed = Code("registrationFailed")
        /// An orientation code or affine that cannot be used (e.g. "RRS", a singular affine, a voxel
        /// size outside `NIfTI.spacingRange`, a non-finite entry).
        public static let invalidGeometry = Code("invalidGeometry")
        /// A path leaves the dataset root (through `..` or a symbolic link).
        public static let pathOutsideRoot = Code("pathOutsideRoot")
        /// A dataset description (dataset.json, manifest CSV, folder) cannot be understood.
        public static let invalidDataset = Code("invalidDataset")
        /// Writing a file failed.
        public static let writeFailed = Code("writeFailed")
        /// The synthetic cohort's template is not where it was asked for.
        public static let missingTemplate = Code("missingTemplate")
        /// A mask that selects nothing a step can use (e.g. no voxel of positive intensity for N4).
        public static let emptyMask = Code("emptyMask")
        /// A processing parameter outside its range (e.g. an N4 shrink factor below 1).
        public static let invalidParameter = Code("invalidParameter")
        /// Skull stripping found no head: the image has no intensity range, or no dark background
        /// around a bright object.
        public static let noHead = Code("noHead")
        /// Skull stripping's brain mask has a volume no adult brain has (outside the configured range).
        public static let implausibleBrainVolume = Code("implausibleBrainVolume")
        /// Skull stripping's surface folded onto itself however smooth it was made.
        public static let selfIntersectingSurface = Code("selfIntersectingSurface")
    }

    public var code: Code
    /// The case this happened in, when known.
    public var caseID: String?
    /// The file (or folder) concerned, when there is one.
    public var file: String?
    /// What went wrong, for a person.
    public var detail: String

    public init(_ code: Code, caseID: String? = nil, file: String? = nil, detail: String) {
        self.code = code
        self.caseID = caseID
        self.file = file
        self.detail = detail
    }

    /// The same error attributed to a case, keeping a case id already set.
    public func inCase(_ id: String) -> VolumeError {
        var error = self
        if error.caseID == nil { error.caseID = id }
        return error
    }

    /// The same error attributed to a file, keeping a file already set.
    public func inFile(_ path: String) -> VolumeError {
        var error = self
        if error.file == nil { error.file = path }
        return error
    }

    public var description: String {
        var parts: [String] = []
        if let caseID { parts.append("case \(caseID)") }
        if let file { parts.append(file) }
        parts.append("\(code): \(detail)")
        return parts.joined(separator: ": ")
    }
}
