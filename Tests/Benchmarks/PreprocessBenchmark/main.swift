import Dispatch
import Foundation
import Volume

// Preprocessing speed on one BraTS-sized case: T1c and T2 of 240×240×155 voxels on a
// 0.9375×0.9375×1.5 mm RAS grid plus a label, reoriented to LPS (ITK's RAI), resampled to 1 mm
// (cubic B-spline for the images, nearest neighbour for the label), brain-masked, cropped and
// z-scored. Prints seconds per case, the median of `runs` runs (default 3), in memory (no file I/O).
// With `--t2-other-grid`, T2 is stored on a grid shifted by half a voxel, so it is brought onto
// T1c's grid through both affines (full 3D spline) instead of following T1c's separable path.
//
//   swift run -c release preprocess-benchmark [runs] [--t2-other-grid]

let arguments = CommandLine.arguments.dropFirst()
let runs = arguments.compactMap { Int($0) }.first ?? 3
let t2OnOtherGrid = arguments.contains("--t2-other-grid")
let shape = GridShape(240, 240, 155)
let affine = Affine(rows: [[0.9375, 0, 0, -112], [0, 0.9375, 0, -112], [0, 0, 1.5, -116], [0, 0, 0, 1]])

/// A head-like ellipsoid with smooth texture and a lesion; zero outside, as skull-stripped data.
func image(contrast: Float) -> (Volume, LabelVolume) {
    var voxels = [Float](repeating: 0, count: shape.count)
    var labels = [UInt8](repeating: 0, count: shape.count)
    for k in 0..<shape.z {
        for j in 0..<shape.y {
            for i in 0..<shape.x {
                let x = (Double(i) - 120) / 80, y = (Double(j) - 120) / 95, z = (Double(k) - 77) / 62
                let r = x * x + y * y + z * z
                guard r < 1 else { continue }
                let lesion =
                    (Double(i) - 150) * (Double(i) - 150) + (Double(j) - 100) * (Double(j) - 100) + (Double(k) - 80)
                    * (Double(k) - 80) * 2.5
                let texture = Float(sin(Double(i) * 0.3) * cos(Double(j) * 0.25) * sin(Double(k) * 0.4))
                let offset = shape.offset(i, j, k)
                voxels[offset] = lesion < 150 ? 900 * contrast : (400 + 60 * texture) * contrast
                labels[offset] = lesion < 150 ? 4 : (lesion < 500 ? 2 : 0)
            }
        }
    }
    return (
        Volume(shape: shape, affine: affine, voxels: voxels), LabelVolume(shape: shape, affine: affine, voxels: labels)
    )
}

let (t1c, label) = image(contrast: 1)
var (t2, _) = image(contrast: 1.7)
if t2OnOtherGrid { t2.affine = Affine.translation(0.47, -0.47, 0.75) * t2.affine }
let preprocessor = Preprocessor()
var seconds: [Double] = []
var output = GridShape(0, 0, 0)
for _ in 0..<runs {
    let start = DispatchTime.now().uptimeNanoseconds
    let result = try preprocessor.run(caseID: "benchmark", t1c: t1c, t2: t2, label: label)
    seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    output = result.t1c.shape
}
let median = seconds.sorted()[seconds.count / 2]
print("T2 \(t2OnOtherGrid ? "on its own grid, sampled through the affines" : "on T1c's grid")")
print("input 2 × \(shape) + label at 0.9375×0.9375×1.5 mm → 1 mm LPS, cropped to \(output)")
print("runs: \(seconds.map { String(format: "%.3f", $0) }.joined(separator: " ")) s")
print(
    String(
        format: "preprocess: %.3f s per case (median of %d, %d cores)", median, runs,
        ProcessInfo.processInfo.activeProcessorCount))
