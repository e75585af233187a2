/// Feature vectors as the rows of one contiguous row-major Float matrix, so that similarity loops
/// stream through memory.
struct FeatureMatrix {
    let rows: Int
    let dimension: Int
    private(set) var values: [Float]

    init(_ vectors: [[Float]], dimension: Int) {
        rows = vectors.count
        self.dimension = dimension
        values = vectors.flatMap { $0 }
    }

    init(values: [Float], rows: Int, dimension: Int) {
        self.values = values
        self.rows = rows
        self.dimension = dimension
    }

    /// Scales each row to unit length, so that dot products are cosines. A zero row stays zero:
    /// its cosine with anything is taken as 0.
    func unitRows() -> FeatureMatrix {
        var result = self
        result.values.withUnsafeMutableBufferPointer { values in
            for r in 0..<rows {
                let row = UnsafeMutableBufferPointer(rebasing: values[(r * dimension)..<((r + 1) * dimension)])
                let norm = Float(row.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot())
                if norm > 0 { for j in row.indices { row[j] /= norm } }
            }
        }
        return result
    }

    /// The rows × rows Gram matrix of unit rows (cosine similarities), row-major; computed for the
    /// upper triangle and mirrored.
    func cosineSimilarities() -> [Float] {
        let unit = unitRows()
        var similarity = [Float](repeating: 0, count: rows * rows)
        unit.values.withUnsafeBufferPointer { u in
            similarity.withUnsafeMutableBufferPointer { s in
                for i in 0..<rows {
                    let a = u.baseAddress! + i * dimension
                    for j in i..<rows {
                        let value = dot(a, u.baseAddress! + j * dimension, count: dimension)
                        s[i * rows + j] = value
                        s[j * rows + i] = value
                    }
                }
            }
        }
        return similarity
    }

    /// Cosine similarities of each row with each row of `other`: rows × other.rows, row-major.
    func cosineSimilarities(to other: FeatureMatrix) -> [Float] {
        let unit = unitRows(), otherUnit = other.unitRows()
        var similarity = [Float](repeating: 0, count: rows * other.rows)
        unit.values.withUnsafeBufferPointer { u in
            otherUnit.values.withUnsafeBufferPointer { v in
                for i in 0..<rows {
                    for j in 0..<other.rows {
                        similarity[i * other.rows + j] = dot(
                            u.baseAddress! + i * dimension,
                            v.baseAddress! + j * dimension, count: dimension)
                    }
                }
            }
        }
        return similarity
    }
}

/// Σ aᵢbᵢ with sixteen independent partial sums, so the loop vectorises and pipelines.
private func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
    var partial = SIMD16<Float>()
    var i = 0
    while i + 16 <= count {
        let x = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
        let y = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
        partial += x * y
        i += 16
    }
    var sum = partial.sum()
    while i < count {
        sum += a[i] * b[i]
        i += 1
    }
    return sum
}

/// Per-dimension z-scoring, x′ = (x − μ) / σ, with μ and σ (population SD) taken over the rows of
/// several matrices together, so that channels with large activations do not dominate the cosine.
/// A constant channel carries no information and becomes 0.
struct FeatureStandardization {
    private let mean: [Double]
    private let inverseSD: [Double]

    init(over matrices: [FeatureMatrix], dimension d: Int) {
        let n = Double(matrices.reduce(0) { $0 + $1.rows })
        var mean = [Double](repeating: 0, count: d)
        var squares = [Double](repeating: 0, count: d)
        for matrix in matrices {
            for r in 0..<matrix.rows {
                for j in 0..<d { mean[j] += Double(matrix.values[r * d + j]) }
            }
        }
        for j in 0..<d { mean[j] /= n }
        for matrix in matrices {
            for r in 0..<matrix.rows {
                for j in 0..<d {
                    let deviation = Double(matrix.values[r * d + j]) - mean[j]
                    squares[j] += deviation * deviation
                }
            }
        }
        self.mean = mean
        inverseSD = squares.map { $0 > 0 ? 1 / ($0 / n).squareRoot() : 0 }
    }

    func apply(_ matrix: FeatureMatrix) -> FeatureMatrix {
        let d = matrix.dimension
        var values = matrix.values
        for r in 0..<matrix.rows {
            for j in 0..<d {
                values[r * d + j] = Float((Double(values[r * d + j]) - mean[j]) * inverseSD[j])
            }
        }
        return FeatureMatrix(values: values, rows: matrix.rows, dimension: d)
    }
}
