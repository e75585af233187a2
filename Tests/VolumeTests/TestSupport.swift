import Foundation
import Volume

/// A volume whose voxel value encodes its index, so any permutation or flip is visible.
func indexVolume(_ shape: GridShape, affine: Affine = .identity) -> Volume {
    var voxels = [Float](repeating: 0, count: shape.count)
    for k in 0..<shape.z {
        for j in 0..<shape.y {
            for i in 0..<shape.x { voxels[shape.offset(i, j, k)] = Float(1 + i + 100 * j + 10000 * k) }
        }
    }
    return Volume(shape: shape, affine: affine, voxels: voxels)
}

/// Bytes of a JSON vector file committed under Vectors/.
func vectorData(_ path: String) throws -> Data {
    guard let url = Bundle.module.url(forResource: "Vectors/\(path)", withExtension: nil) else {
        throw VolumeError(.missingFile, file: path, detail: "test vector not bundled")
    }
    return try Data(contentsOf: url)
}

func vectorURL(_ path: String) -> URL {
    Bundle.module.url(forResource: "Vectors/\(path)", withExtension: nil)!
}

func maxDifference(_ a: Affine, _ b: Affine) -> Double {
    zip(a.elements, b.elements).map { abs($0 - $1) }.max() ?? 0
}

/// The `VolumeError` code `body` throws, or nil when it succeeds (or throws another error).
func code(_ body: () throws -> Void) -> VolumeError.Code? {
    do {
        try body()
        return nil
    } catch {
        return (error as? VolumeError)?.code
    }
}
