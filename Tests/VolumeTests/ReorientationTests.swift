import Foundation
import Testing

@testable import Volume

struct GeometryVectors: Decodable {
    struct AxisCase: Decodable {
        var affine: [[Double]]
        var codes: String
    }
    struct Reoriented: Decodable {
        var codes: String
        var shape: [Int]
        var affine: [[Double]]
        var voxels: [Double]
    }
    struct Reorientation: Decodable {
        var shape: [Int]
        var affine: [[Double]]
        var targets: [Reoriented]
    }
    struct Points: Decodable {
        var shape: [Int]
        var voxels: [Double]
        var points: [[Double]]
        var values: [Double]
    }
    struct Resample: Decodable {
        var shape: [Int]
        var spacing: [Double]
        var voxels: [Double]
        var newShape: [Int]
        var values: [Double]
    }
    var axcodes: [AxisCase]
    var reorient: Reorientation
    var points: Points
    var resample: Resample

    static let shared: GeometryVectors = try! JSONDecoder().decode(
        GeometryVectors.self, from: vectorData("geometry.json"))
}

@Suite struct ReorientationTests {
    @Test("axis codes match nibabel's aff2axcodes", arguments: GeometryVectors.shared.axcodes.map(\.codes).indices)
    func axisCodesMatchNibabel(index: Int) throws {
        let reference = GeometryVectors.shared.axcodes[index]
        #expect(try AxisCodes(affine: Affine(rows: reference.affine)).description == reference.codes)
    }

    @Test(
        "reorientation matches nibabel's as_reoriented", arguments: GeometryVectors.shared.reorient.targets.map(\.codes)
    )
    func reorientationMatchesNibabel(codes: String) throws {
        let vectors = GeometryVectors.shared.reorient
        let reference = vectors.targets.first { $0.codes == codes }!
        let volume = indexVolume(
            GridShape(vectors.shape[0], vectors.shape[1], vectors.shape[2]),
            affine: Affine(rows: vectors.affine))
        let moved = try volume.reoriented(to: AxisCodes(codes))
        #expect([moved.shape.x, moved.shape.y, moved.shape.z] == reference.shape)
        #expect(moved.voxels.map(Double.init) == reference.voxels)
        #expect(maxDifference(moved.affine, Affine(rows: reference.affine)) < 1e-9)
        #expect(try moved.axisCodes().description == codes)
    }

    @Test(
        "an asymmetric volume goes to several codes and back unchanged", arguments: ["RAS", "LPS", "AIL", "SRP", "IPR"])
    func reorientationRoundTrip(codes: String) throws {
        let affine = Affine(rows: [[0, 0, -1.2, 40], [-0.95, 0, 0, 20], [0, 1.1, 0, -15], [0, 0, 0, 1]])
        let volume = indexVolume(GridShape(6, 5, 4), affine: affine)
        let original = try volume.axisCodes()
        let moved = try volume.reoriented(to: AxisCodes(codes))
        #expect(try moved.axisCodes() == AxisCodes(codes))
        // Each voxel keeps its world position: compare the world point of a distinctive voxel.
        let value: Float = volume[2, 3, 1]
        let index = moved.voxels.firstIndex(of: value)!
        let i = index % moved.shape.x, j = (index / moved.shape.x) % moved.shape.y,
            k = index / (moved.shape.x * moved.shape.y)
        let before = volume.affine.apply((2, 3, 1)), after = moved.affine.apply((Double(i), Double(j), Double(k)))
        #expect(abs(before.0 - after.0) + abs(before.1 - after.1) + abs(before.2 - after.2) < 1e-9)
        let back = try moved.reoriented(to: original)
        #expect(back.shape == volume.shape)
        #expect(back.voxels == volume.voxels)
        #expect(maxDifference(back.affine, volume.affine) < 1e-9)
    }

    @Test func invalidCodesAreRejected() {
        for code in ["RRS", "RA", "XYZ", "RASL"] {
            #expect(throws: VolumeError.self) { try AxisCodes(code) }
        }
    }
}
