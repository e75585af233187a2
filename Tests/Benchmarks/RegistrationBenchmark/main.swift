import Dispatch
import Foundation
import Volume

// One rigid registration as a user runs it: read the fixed and moving NIfTI files, register moving
// onto fixed with the default configuration, resample moving onto the fixed grid by cubic B-spline
// and write it. Prints one JSON line: the seconds all of that took, the transform's 4×4 world
// matrix, the final metric, the overlap and the descent steps per level. scripts/bench/
// registration-vs-simpleitk runs it beside SimpleITK on the same files.
//
//   swift run -c release registration-benchmark FIXED MOVING OUT

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: registration-benchmark FIXED MOVING OUT\n".utf8))
    exit(2)
}
let (fixedURL, movingURL, outURL) = (
    URL(fileURLWithPath: arguments[0]), URL(fileURLWithPath: arguments[1]), URL(fileURLWithPath: arguments[2])
)
do {
    let start = DispatchTime.now().uptimeNanoseconds
    let fixed = try NIfTI.readImage(at: fixedURL)
    let moving = try NIfTI.readImage(at: movingURL)
    let result = try RigidRegistration().register(moving: moving, fixed: fixed)
    let (moved, _) = try RigidRegistration.resample(moving, ontoGridOf: fixed, through: result.transform)
    try NIfTI.write(moved, to: outURL)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let matrix = result.transform.matrix
    let rows = (0..<4).map { row in "[" + (0..<4).map { "\(matrix[row, $0])" }.joined(separator: ", ") + "]" }
    print(
        "{\"seconds\": \(seconds), \"matrix\": [\(rows.joined(separator: ", "))], \"metric\": \(result.metric), "
            + "\"overlap\": \(result.overlap), \"iterations\": \(result.iterations)}")
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
