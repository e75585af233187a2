/// A closed triangle mesh in world millimetres: the surface that skull stripping deforms onto the
/// brain's edge, then fills to a voxel mask.
struct SurfaceMesh: Sendable {
    var vertices: [SIMD3<Double>]
    /// Vertex indices of each triangle, counter-clockwise seen from outside.
    let triangles: [SIMD3<Int>]
    /// The vertices sharing an edge with each vertex.
    let neighbours: [[Int]]
    /// The triangles each vertex belongs to.
    let incidentTriangles: [[Int]]

    init(vertices: [SIMD3<Double>], triangles: [SIMD3<Int>]) {
        self.vertices = vertices
        self.triangles = triangles
        var neighbours = [Set<Int>](repeating: [], count: vertices.count)
        var incident = [[Int]](repeating: [], count: vertices.count)
        for (index, triangle) in triangles.enumerated() {
            for corner in 0..<3 {
                let a = triangle[corner], b = triangle[(corner + 1) % 3]
                neighbours[a].insert(b)
                neighbours[b].insert(a)
                incident[a].append(index)
            }
        }
        self.neighbours = neighbours.map { $0.sorted() }
        incidentTriangles = incident
    }

    /// A unit sphere: an icosahedron whose faces are split in four `subdivisions` times, the new
    /// vertices pushed out to the sphere (10·4ⁿ + 2 vertices, nearly evenly spread).
    static func sphere(subdivisions: Int) -> SurfaceMesh {
        let t = (1 + 5.0.squareRoot()) / 2
        var vertices: [SIMD3<Double>] = [
            SIMD3(-1, t, 0), SIMD3(1, t, 0), SIMD3(-1, -t, 0), SIMD3(1, -t, 0),
            SIMD3(0, -1, t), SIMD3(0, 1, t), SIMD3(0, -1, -t), SIMD3(0, 1, -t),
            SIMD3(t, 0, -1), SIMD3(t, 0, 1), SIMD3(-t, 0, -1), SIMD3(-t, 0, 1),
        ].map(normalized)
        var triangles: [SIMD3<Int>] = [
            SIMD3(0, 11, 5), SIMD3(0, 5, 1), SIMD3(0, 1, 7), SIMD3(0, 7, 10), SIMD3(0, 10, 11),
            SIMD3(1, 5, 9), SIMD3(5, 11, 4), SIMD3(11, 10, 2), SIMD3(10, 7, 6), SIMD3(7, 1, 8),
            SIMD3(3, 9, 4), SIMD3(3, 4, 2), SIMD3(3, 2, 6), SIMD3(3, 6, 8), SIMD3(3, 8, 9),
            SIMD3(4, 9, 5), SIMD3(2, 4, 11), SIMD3(6, 2, 10), SIMD3(8, 6, 7), SIMD3(9, 8, 1),
        ]
        for _ in 0..<max(subdivisions, 0) {
            var midpoints: [SIMD2<Int>: Int] = [:]
            func midpoint(_ a: Int, _ b: Int) -> Int {
                let key = SIMD2(min(a, b), max(a, b))
                if let index = midpoints[key] { return index }
                vertices.append(normalized((vertices[a] + vertices[b]) / 2))
                midpoints[key] = vertices.count - 1
                return vertices.count - 1
            }
            triangles = triangles.flatMap { triangle -> [SIMD3<Int>] in
                let (a, b, c) = (triangle.x, triangle.y, triangle.z)
                let ab = midpoint(a, b), bc = midpoint(b, c), ca = midpoint(c, a)
                return [SIMD3(a, ab, ca), SIMD3(b, bc, ab), SIMD3(c, ca, bc), SIMD3(ab, bc, ca)]
            }
        }
        return SurfaceMesh(vertices: vertices, triangles: triangles)
    }

    /// Outward unit normal at each vertex: the area-weighted mean of its triangles' normals.
    func vertexNormals() -> [SIMD3<Double>] {
        let faceNormals = triangles.map { t in
            cross(vertices[t.y] - vertices[t.x], vertices[t.z] - vertices[t.x])
        }
        return incidentTriangles.map { faces in
            normalized(faces.reduce(SIMD3<Double>(0, 0, 0)) { $0 + faceNormals[$1] })
        }
    }

    /// The mean length of the mesh's edges (each counted once).
    var meanEdgeLength: Double {
        var sum = 0.0, count = 0
        for (a, others) in neighbours.enumerated() {
            for b in others where b > a {
                sum += length(vertices[b] - vertices[a])
                count += 1
            }
        }
        return count > 0 ? sum / Double(count) : 0
    }

    /// Whether the surface has folded onto itself: two vertices that are not neighbours have come
    /// closer than `fraction` of the mean edge length (on an even, unfolded mesh non-neighbours stay
    /// about one edge apart or more). A spatial hash keeps the check linear in the vertex count.
    func foldsOntoItself(fraction: Double = 0.25) -> Bool {
        let limit = fraction * meanEdgeLength
        guard limit > 0 else { return true }
        var cells: [SIMD3<Int>: [Int]] = [:]
        func cell(_ p: SIMD3<Double>) -> SIMD3<Int> {
            SIMD3(
                Int((p.x / limit).rounded(.down)), Int((p.y / limit).rounded(.down)), Int((p.z / limit).rounded(.down)))
        }
        for (index, vertex) in vertices.enumerated() { cells[cell(vertex), default: []].append(index) }
        for (index, vertex) in vertices.enumerated() {
            let centre = cell(vertex)
            for dz in -1...1 {
                for dy in -1...1 {
                    for dx in -1...1 {
                        for other in cells[centre &+ SIMD3(dx, dy, dz)] ?? [] where other > index {
                            if length(vertices[other] - vertex) < limit && !neighbours[index].contains(other) {
                                return true
                            }
                        }
                    }
                }
            }
        }
        return false
    }

    /// The voxels of the grid whose centres the surface encloses. The triangles are rasterised
    /// (sampled finer than half a voxel); everything reachable from the grid's border without crossing
    /// them is outside, the rest inside, except that a voxel the surface passes through is inside only
    /// when its centre lies behind the nearest sampled triangle (so the mask is not a voxel too wide).
    func filledMask(shape: GridShape, affine: Affine) -> [Bool] {
        guard let toVoxel = affine.inverse else { return [Bool](repeating: false, count: shape.count) }
        let step = 0.4 * min(affine.spacing.x, affine.spacing.y, affine.spacing.z)
        var surface = [Bool](repeating: false, count: shape.count)
        var nearest = [Float](repeating: .infinity, count: shape.count)
        var behind = [Bool](repeating: false, count: shape.count)
        for triangle in triangles {
            let a = vertices[triangle.x], b = vertices[triangle.y], c = vertices[triangle.z]
            let normal = normalized(cross(b - a, c - a))
            let longest = max(length(b - a), length(c - a), length(c - b))
            let divisions = max(1, Int((longest / step).rounded(.up)))
            for u in 0...divisions {
                for v in 0...(divisions - u) {
                    let p = a + (b - a) * (Double(u) / Double(divisions)) + (c - a) * (Double(v) / Double(divisions))
                    let (x, y, z) = toVoxel.apply((p.x, p.y, p.z))
                    let i = Int(x.rounded()), j = Int(y.rounded()), k = Int(z.rounded())
                    guard i >= 0, j >= 0, k >= 0, i < shape.x, j < shape.y, k < shape.z else { continue }
                    let offset = shape.offset(i, j, k)
                    surface[offset] = true
                    let centre = affine.apply((Double(i), Double(j), Double(k)))
                    let d = SIMD3(centre.0, centre.1, centre.2) - p
                    let distance = Float(length(d))
                    if distance < nearest[offset] {
                        nearest[offset] = distance
                        behind[offset] = (d * normal).sum() <= 0
                    }
                }
            }
        }
        let enclosed = BrainMask.filledHoles(surface, shape: shape)
        return (0..<shape.count).map { surface[$0] ? behind[$0] : enclosed[$0] }
    }
}

@inline(__always) func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}

@inline(__always) func length(_ v: SIMD3<Double>) -> Double { (v * v).sum().squareRoot() }

@inline(__always) func normalized(_ v: SIMD3<Double>) -> SIMD3<Double> {
    let norm = length(v)
    return norm > 0 ? v / norm : v
}
