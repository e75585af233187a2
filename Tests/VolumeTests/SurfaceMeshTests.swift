import Testing

@testable import Volume

/// The surface skull stripping deforms: the sphere it starts from, the fold check that turns a
/// surface into a `selfIntersectingSurface` failure, and the mask it fills.
@Suite struct SurfaceMeshTests {
    @Test func theStartingSphereIsEvenAndDoesNotFold() {
        let sphere = SurfaceMesh.sphere(subdivisions: 3)
        #expect(sphere.vertices.count == 10 * 64 + 2)
        #expect(sphere.triangles.count == 20 * 64)
        #expect(sphere.vertices.allSatisfy { abs(length($0) - 1) < 1e-12 })
        #expect(!sphere.foldsOntoItself())
    }

    /// A vertex pushed through the surface onto the far side lands next to vertices it shares no
    /// edge with: the fold a deformation that went wrong leaves.
    @Test func aVertexPushedOntoTheFarSideIsAFold() throws {
        var sphere = SurfaceMesh.sphere(subdivisions: 3)
        let pushed = 0
        let antipode = -sphere.vertices[pushed]
        let opposite = try #require(
            sphere.vertices.indices.min {
                length(sphere.vertices[$0] - antipode) < length(sphere.vertices[$1] - antipode)
            })
        #expect(!sphere.neighbours[pushed].contains(opposite))
        sphere.vertices[pushed] = sphere.vertices[opposite] * 0.999
        #expect(sphere.foldsOntoItself())
    }

    @Test func aFilledSphereHasTheBallsVolume() {
        let radius = 20.0
        var sphere = SurfaceMesh.sphere(subdivisions: 4)
        sphere.vertices = sphere.vertices.map { $0 * radius }
        var grid = Affine.scaling(1, 1, 1)
        for axis in 0..<3 { grid[axis, 3] = -24.5 }
        let inside = sphere.filledMask(shape: GridShape(50, 50, 50), affine: grid)
        let ball = 4.0 / 3 * Double.pi * radius * radius * radius
        let filled = Double(inside.filter { $0 }.count)
        #expect(abs(filled - ball) / ball < 0.03, "\(filled) voxels inside, a ball of radius 20 mm holds \(ball)")
        #expect(!inside[0] && inside[GridShape(50, 50, 50).offset(25, 25, 25)])
    }
}
