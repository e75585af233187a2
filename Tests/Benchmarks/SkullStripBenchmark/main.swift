import Dispatch
import Foundation
import SyntheticData
import Volume

// Skull stripping on synthetic heads, for scripts/bench/skull-strip-vs-simpleitk.
//
//   skull-strip-benchmark write DIR CASES SEED SPACING_SCALE [phantom|template]
//       writes a cohort with skull and scalp (SyntheticCohort, withSkull) and the template from
//       $ACTIVESEG_TEMPLATE_DIR or ~/.cache/activeseg/mni-icbm152-2009a;
//   skull-strip-benchmark strip DIR [t1]
//       strips every case of DIR (T1c guided by T2, or T1c alone with `t1`) and prints one line per
//       case: id, subtype, Dice against the true brain mask, seconds (reading files excluded).

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first, arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: skull-strip-benchmark write|strip DIR …\n".utf8))
    exit(2)
}
let folder = URL(fileURLWithPath: arguments[1])

func dice(_ a: LabelVolume, _ b: LabelVolume) -> Double {
    var both = 0, sum = 0
    for (x, y) in zip(a.voxels, b.voxels) {
        if x != 0 && y != 0 { both += 1 }
        sum += (x != 0 ? 1 : 0) + (y != 0 ? 1 : 0)
    }
    return sum > 0 ? 2 * Double(both) / Double(sum) : 1
}

switch command {
case "write":
    let anatomy: CohortAnatomy
    if arguments.count > 5 && arguments[5] == "phantom" {
        anatomy = .phantom
    } else {
        let environment = ProcessInfo.processInfo.environment["ACTIVESEG_TEMPLATE_DIR"]
        anatomy = .template(
            folder: URL(fileURLWithPath: environment ?? NSHomeDirectory() + "/.cache/activeseg/mni-icbm152-2009a"))
    }
    let summary = try SyntheticCohort.generate(
        cases: Int(arguments[2])!, seed: UInt64(arguments[3])!, outputDirectory: folder, anatomy: anatomy,
        spacingScale: Double(arguments[4])!, withSkull: true)
    for item in summary.cases { print(item.id, item.subtype.rawValue) }
case "strip":
    let useT2 = !(arguments.count > 2 && arguments[2] == "t1")
    let summary = try JSONDecoder().decode(
        CohortSummary.self, from: Data(contentsOf: folder.appendingPathComponent("cohort.json")))
    for item in summary.cases {
        let base = folder.appendingPathComponent(item.id).appendingPathComponent(item.id)
        let t1 = try NIfTI.readImage(at: URL(fileURLWithPath: base.path + "_t1ce.nii.gz"))
        let t2 = try NIfTI.readImage(at: URL(fileURLWithPath: base.path + "_t2.nii.gz"))
        let truth = try NIfTI.readLabels(
            at: URL(fileURLWithPath: base.path + "_brainmask.nii.gz"), allowedValues: [0, 1])
        let start = DispatchTime.now().uptimeNanoseconds
        let line: String
        do {
            let result = try SkullStripping.strip(t1: t1, t2: useT2 ? t2 : nil, caseID: item.id)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            line = String(format: "%.4f %.3f", dice(result.brainMask, truth), seconds)
        } catch {
            line = "failed \(error.code)"
        }
        print(item.id, item.subtype.rawValue, line)
    }
default:
    FileHandle.standardError.write(Data("unknown command \(command)\n".utf8))
    exit(2)
}
