/// The anatomical direction each voxel axis points to, as nibabel's `aff2axcodes` names it: "RAS"
/// means i increases towards the Right, j towards Anterior, k towards Superior.
///
/// ITK names orientations by where each axis comes *from*, so the paper's "RAI" (ITK) is "LPS" here.
public struct AxisCodes: Hashable, Sendable, CustomStringConvertible {
    /// For each voxel axis, the world axis it follows (0: x, left–right; 1: y; 2: z).
    public let worldAxes: [Int]
    /// For each voxel axis, +1 when it points towards R, A or S, −1 towards L, P or I.
    public let signs: [Int]

    /// Neurological world order (nibabel's and NIfTI's canonical orientation).
    public static let ras = AxisCodes(worldAxes: [0, 1, 2], signs: [1, 1, 1])
    /// DICOM/ITK's identity orientation, which ITK calls "RAI" (the paper's choice).
    public static let lps = AxisCodes(worldAxes: [0, 1, 2], signs: [-1, -1, 1])

    private init(worldAxes: [Int], signs: [Int]) {
        self.worldAxes = worldAxes
        self.signs = signs
    }

    private static let letters: [[Character]] = [["L", "R"], ["P", "A"], ["I", "S"]]

    /// Parses a three-letter code such as "RAS", "LPS" or "PIR".
    public init(_ code: String) throws(VolumeError) {
        var axes: [Int] = []
        var directions: [Int] = []
        for letter in code.uppercased() {
            guard let axis = Self.letters.firstIndex(where: { $0.contains(letter) }) else {
                throw VolumeError(
                    .invalidGeometry, detail: "'\(code)' is not an axis code: \(letter) is not one of RLAPSI")
            }
            axes.append(axis)
            directions.append(Self.letters[axis][1] == letter ? 1 : -1)
        }
        guard axes.count == 3, Set(axes).count == 3 else {
            throw VolumeError(.invalidGeometry, detail: "'\(code)' does not name each of R/L, A/P, S/I once")
        }
        worldAxes = axes
        signs = directions
    }

    /// The closest axis codes of an affine, as nibabel's `io_orientation`: the rotation nearest to the
    /// direction cosines (polar decomposition), then each voxel axis, strongest first, takes the world
    /// axis it follows most.
    public init(affine: Affine) throws(VolumeError) {
        var rotation = [[Double]](repeating: [0, 0, 0], count: 3)
        let spacing = affine.spacing
        for row in 0..<3 {
            for column in 0..<3 {
                rotation[row][column] = affine[row, column] / (spacing[column] == 0 ? 1 : spacing[column])
            }
        }
        guard let orthogonal = Self.nearestRotation(rotation) else {
            throw VolumeError(.invalidGeometry, detail: "the affine \(affine) is singular")
        }
        var remaining = orthogonal
        let strength = (0..<3).map { column in (0..<3).map { orthogonal[$0][column] * orthogonal[$0][column] }.max()! }
        let order = (0..<3).sorted { strength[$0] > strength[$1] || (strength[$0] == strength[$1] && $0 < $1) }
        var axes = [0, 0, 0]
        var signs = [1, 1, 1]
        for column in order {
            let row = (0..<3).max { abs(remaining[$0][column]) < abs(remaining[$1][column]) }!
            axes[column] = row
            signs[column] = remaining[row][column] < 0 ? -1 : 1
            remaining[row] = [0, 0, 0]
        }
        worldAxes = axes
        self.signs = signs
    }

    public var description: String {
        String(zip(worldAxes, signs).map { Self.letters[$0][$1 > 0 ? 1 : 0] })
    }

    /// The orthogonal polar factor of a 3×3 matrix (Newton iteration X ← (X + X⁻ᵀ)/2).
    private static func nearestRotation(_ matrix: [[Double]]) -> [[Double]]? {
        var x = matrix
        for _ in 0..<100 {
            guard let inverseTranspose = inverseTransposed(x) else { return nil }
            var next = x
            var change = 0.0
            for row in 0..<3 {
                for column in 0..<3 {
                    next[row][column] = (x[row][column] + inverseTranspose[row][column]) / 2
                    change = max(change, abs(next[row][column] - x[row][column]))
                }
            }
            x = next
            if change < 1e-14 { break }
        }
        return x
    }

    private static func inverseTransposed(_ m: [[Double]]) -> [[Double]]? {
        let cofactor: [[Double]] = [
            [
                m[1][1] * m[2][2] - m[1][2] * m[2][1], m[1][2] * m[2][0] - m[1][0] * m[2][2],
                m[1][0] * m[2][1] - m[1][1] * m[2][0],
            ],
            [
                m[0][2] * m[2][1] - m[0][1] * m[2][2], m[0][0] * m[2][2] - m[0][2] * m[2][0],
                m[0][1] * m[2][0] - m[0][0] * m[2][1],
            ],
            [
                m[0][1] * m[1][2] - m[0][2] * m[1][1], m[0][2] * m[1][0] - m[0][0] * m[1][2],
                m[0][0] * m[1][1] - m[0][1] * m[1][0],
            ],
        ]
        let determinant = m[0][0] * cofactor[0][0] + m[0][1] * cofactor[0][1] + m[0][2] * cofactor[0][2]
        guard abs(determinant) > 1e-12 else { return nil }
        return cofactor.map { $0.map { $0 / determinant } }
    }
}
