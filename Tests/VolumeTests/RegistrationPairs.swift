import Foundation
import Testing
import Volume

/// The synthetic T1c/T2 pairs of scripts/vectors/volume_registration.py, with SimpleITK's errors on
/// them (Vectors/registration.json).
struct RegistrationVectors: Decodable {
    struct Pair: Decodable, Sendable, CustomTestStringConvertible {
        struct Reference: Decodable, Sendable {
            var displacement_mm: Double
            var rotation_deg: Double
        }
        var name: String
        var angles: [Double]
        var translation: [Double]
        var bias: [Double]
        var seed: UInt64
        var fixed_sum: Double
        var moving_sum: Double
        var truth: [[Double]]
        var simpleitk: Reference

        var testDescription: String { name }
        var truthTransform: Affine { Affine(rows: truth) }
    }
    var shape: [Int]
    var centre: [Double]
    var brain_voxels: Int
    var fixed_sigma: Double
    var moving_sigma: Double
    var pairs: [Pair]

    static let shared: RegistrationVectors = {
        do {
            return try JSONDecoder().decode(RegistrationVectors.self, from: vectorData("registration.json"))
        } catch {
            fatalError("Vectors/registration.json: \(error)")
        }
    }()
}

/// The same pairs made in Swift, step by step as the script's docstring describes, so the tests
/// register the very images SimpleITK registered (`fixed_sum`/`moving_sum` check that they are).
struct RegistrationPairs {
    static let templateFolder = URL(
        fileURLWithPath: ProcessInfo.processInfo.environment["ACTIVESEG_TEMPLATE_DIR"]
            ?? NSHomeDirectory() + "/.cache/activeseg/mni-icbm152-2009a")
    static let templateAvailable = FileManager.default.fileExists(
        atPath: templateFolder.appendingPathComponent("mni_icbm152_wm_tal_nlin_sym_09a_converted.nii.gz").path)

    /// T1c-like and T2-like intensities and the support on the template's 1 mm grid.
    let shape: GridShape
    let affine: Affine
    let t1: [Double]
    let t2: [Double]
    let support: [Double]

    static let shared: RegistrationPairs? = try? RegistrationPairs()

    init() throws {
        func read(_ tissue: String) throws -> Volume {
            try NIfTI.readImage(
                at: Self.templateFolder.appendingPathComponent(
                    "mni_icbm152_\(tissue)_tal_nlin_sym_09a_converted.nii.gz"),
                requireContent: false)
        }
        let gm = try read("gm"), wm = try read("wm")
        shape = gm.shape
        affine = gm.affine
        let parenchyma = zip(gm.voxels, wm.voxels).map { min(Double($0) + Double($1), 255) }
        let box = Self.boxSum(parenchyma, shape: shape, radius: 4)
        let threshold = 0.25 * 255 * 729
        var t1 = [Double](repeating: 0, count: shape.count)
        var t2 = t1
        var support = t1
        for index in 0..<shape.count where box[index] > threshold {
            let g = Double(gm.voxels[index]), w = Double(wm.voxels[index])
            let c = 255 - parenchyma[index]
            t1[index] = (300 * c + 650 * g + 1000 * w) / 255
            t2[index] = (1000 * c + 600 * g + 350 * w) / 255
            support[index] = 1
        }
        (self.t1, self.t2, self.support) = (t1, t2, support)
    }

    /// Sums over the (2r+1)³ box around each voxel, zero outside the grid (separable running sums).
    static func boxSum(_ values: [Double], shape: GridShape, radius: Int) -> [Double] {
        var data = values
        for axis in 0..<3 {
            let layout = AxisLayout(shape, axis: axis)
            var output = [Double](repeating: 0, count: data.count)
            for outer in 0..<layout.outer {
                for q in 0..<layout.inner {
                    let base = outer * layout.count * layout.inner + q
                    var prefix = [Double](repeating: 0, count: layout.count + 1)
                    for i in 0..<layout.count { prefix[i + 1] = prefix[i] + data[base + i * layout.inner] }
                    for i in 0..<layout.count {
                        let upper = min(i + radius + 1, layout.count), lower = max(i - radius, 0)
                        output[base + i * layout.inner] = prefix[upper] - prefix[lower]
                    }
                }
            }
            data = output
        }
        return data
    }

    /// A lattice of f-mm voxels: the block means of the 1 mm images and the lattice's brain.
    struct Lattice {
        var shape: GridShape
        var affine: Affine
        var t1: [Double]
        var t2: [Double]
        var brain: [Bool]

        var centre: SIMD3<Double> {
            let (x, y, z) = affine.apply((Double(shape.x - 1) / 2, Double(shape.y - 1) / 2, Double(shape.z - 1) / 2))
            return SIMD3(x, y, z)
        }

        /// World positions of the brain's voxel centres.
        var brainPoints: [SIMD3<Double>] {
            var points: [SIMD3<Double>] = []
            for k in 0..<shape.z {
                for j in 0..<shape.y {
                    for i in 0..<shape.x where brain[shape.offset(i, j, k)] {
                        let (x, y, z) = affine.apply((Double(i), Double(j), Double(k)))
                        points.append(SIMD3(x, y, z))
                    }
                }
            }
            return points
        }
    }

    func lattice(_ f: Int) -> Lattice {
        let new = GridShape(shape.x / f, shape.y / f, shape.z / f)
        var sums = [[Double]](repeating: [Double](repeating: 0, count: new.count), count: 3)
        for k in 0..<(new.z * f) {
            for j in 0..<(new.y * f) {
                for i in 0..<(new.x * f) {
                    let from = shape.offset(i, j, k), to = new.offset(i / f, j / f, k / f)
                    sums[0][to] += t1[from]
                    sums[1][to] += t2[from]
                    sums[2][to] += support[from]
                }
            }
        }
        let volume = Double(f * f * f)
        var scale = Affine.scaling(Double(f), Double(f), Double(f))
        for axis in 0..<3 { scale[axis, 3] = Double(f - 1) / 2 }
        return Lattice(
            shape: new, affine: affine * scale, t1: sums[0].map { $0 / volume }, t2: sums[1].map { $0 / volume },
            brain: sums[2].map { $0 > 0 })
    }

    /// Two standard normal deviates per voxel from splitmix64 and Box–Muller.
    static func normals(seed: UInt64, count: Int) -> ([Double], [Double]) {
        func splitmix(_ x: UInt64) -> UInt64 {
            var z = x &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let key = seed << 40
        var first = [Double](repeating: 0, count: count), second = first
        for index in 0..<count {
            let u1 = (Double(splitmix(key ^ (2 * UInt64(index))) >> 11) + 0.5) * 0x1p-53
            let u2 = (Double(splitmix(key ^ (2 * UInt64(index) + 1)) >> 11) + 0.5) * 0x1p-53
            let radius = (-2 * log(u1)).squareRoot()
            first[index] = radius * cos(2 * .pi * u2)
            second[index] = radius * sin(2 * .pi * u2)
        }
        return (first, second)
    }

    /// The pair at f mm (moving (f+1) mm): the fixed lattice, the fixed and moving images.
    func pair(_ pair: RegistrationVectors.Pair, f: Int, vectors: RegistrationVectors) -> (Lattice, Volume, Volume) {
        let fixedGrid = lattice(f), movingGrid = lattice(f + 1)
        let (n1, _) = Self.normals(seed: 2 * pair.seed, count: fixedGrid.shape.count)
        var fixed = [Float](repeating: 0, count: fixedGrid.shape.count)
        for index in fixed.indices where fixedGrid.brain[index] {
            fixed[index] = Float(fixedGrid.t1[index] + vectors.fixed_sigma * n1[index])
        }
        let shape = movingGrid.shape
        let (m1, m2) = Self.normals(seed: 2 * pair.seed + 1, count: shape.count)
        var moving = [Float](repeating: 0, count: shape.count)
        let sigma = vectors.moving_sigma
        for k in 0..<shape.z {
            for j in 0..<shape.y {
                for i in 0..<shape.x where movingGrid.brain[shape.offset(i, j, k)] {
                    let u = 2 * Double(i) / Double(shape.x - 1) - 1, v = 2 * Double(j) / Double(shape.y - 1) - 1
                    let w = 2 * Double(k) / Double(shape.z - 1) - 1
                    let b = pair.bias
                    let index = shape.offset(i, j, k)
                    let signal = movingGrid.t2[index] * exp(b[0] * u + b[1] * v + b[2] * w + b[3] * u * v)
                    let real = signal + sigma * m1[index], imaginary = sigma * m2[index]
                    moving[index] = Float((real * real + imaginary * imaginary).squareRoot())
                }
            }
        }
        return (
            fixedGrid, Volume(shape: fixedGrid.shape, affine: fixedGrid.affine, voxels: fixed),
            Volume(shape: shape, affine: pair.truthTransform * movingGrid.affine, voxels: moving)
        )
    }

    /// Mean displacement (mm) over the lattice's brain between two world transforms.
    static func meanDisplacement(_ found: Affine, _ truth: Affine, over points: [SIMD3<Double>]) -> Double {
        let total = points.reduce(0.0) { sum, p in
            let a = found.apply((p.x, p.y, p.z)), b = truth.apply((p.x, p.y, p.z))
            return sum
                + ((a.0 - b.0) * (a.0 - b.0) + (a.1 - b.1) * (a.1 - b.1) + (a.2 - b.2) * (a.2 - b.2)).squareRoot()
        }
        return total / Double(max(points.count, 1))
    }

    /// The angle (degrees) between the rotations of two rigid world transforms.
    static func rotationError(_ found: Affine, _ truth: Affine) -> Double {
        var trace = 0.0
        for row in 0..<3 {
            for column in 0..<3 { trace += found[row, column] * truth[row, column] }
        }
        return acos(min(max((trace - 1) / 2, -1), 1)) * 180 / .pi
    }
}
