import Foundation
import Logging
import Volume

/// Where the synthetic cohort's anatomy comes from. There is no silent fallback: a caller that
/// wants the phantom when the template is missing says so.
public enum CohortAnatomy: Sendable {
    /// The MNI ICBM152 2009a maps in this folder (written by `scripts/fetch-template`).
    case template(folder: URL)
    /// The procedural head phantom.
    case phantom
}

/// What a generated cohort holds, written beside it as `cohort.json` and `cohort.csv`.
public struct CohortSummary: Codable, Sendable, Equatable {
    public struct Case: Codable, Sendable, Equatable {
        public var id: String
        public var subtype: TumorSubtype
        /// Enhancing tumor (label 4), the segmentation target, in mm³.
        public var enhancingVolume: Double
        /// Tumor core (labels 1 and 4) in mm³.
        public var coreVolume: Double
        /// Whole tumor (labels 1, 2 and 4) in mm³.
        public var wholeTumorVolume: Double
        public var shape: [Int]
        public var spacing: [Double]
        public var orientation: String
        /// The head's motion between T1c and T2 in a cohort made with it; absent otherwise.
        public var t2Motion: HeadMotion?
    }

    public var seed: UInt64
    public var anatomy: String
    public var spacingScale: Double
    public var subtypeCounts: [String: Int]
    public var cases: [Case]
    /// True when the subjects have skull and scalp (and a `_brainmask` file); absent otherwise, so a
    /// skull-stripped cohort's summary is what it always was.
    public var withSkull: Bool?
}

/// A synthetic brain-tumor cohort in the BraTS 2021 layout, so it goes through the same importer
/// as real data: `<out>/<id>/<id>_t1ce.nii.gz`, `_t2.nii.gz`, `_seg.nii.gz` (labels 1, 2, 4), and with
/// skull and scalp `_brainmask.nii.gz` (the true brain mask, 1 inside; the importer ignores it).
///
/// Real BraTS data cannot be downloaded here and a demo needs data whose difficulty varies the way a
/// real cohort's does; see `TumorSubtype` for the mix and `SubjectSynthesizer` for what each subject
/// varies. The cohort is a pure function of the seed, the anatomy and the spacing scale.
public enum SyntheticCohort {
    /// Writes `cases` subjects and the summary, and returns the summary.
    ///
    /// - Parameters:
    ///   - spacingScale: acquisition voxels are `spacingScale` × 0.9–1.2 mm. 1 gives BraTS-like
    ///     images (~4 M voxels); 2 suits a 2–3 mm CPU demo; 4 makes ~32³ test volumes after
    ///     preprocessing to 4–5 mm.
    ///   - withSkull: subjects keep skull and scalp around the brain (a larger grid, noise in the air)
    ///     and each case gets its true brain mask as a file, for testing skull stripping. Off, the
    ///     cohort is skull-stripped, as BraTS is, and its files are what they were before the option.
    ///   - headMotion: each subject's T2 is placed as if the head moved between the acquisitions
    ///     (`HeadMotion`), for testing registration; the images and labels are otherwise the same.
    ///   - progress: called after each case is written with the number written so far and the total,
    ///     so a command line can show how far a long generation has come.
    public static func generate(
        cases: Int, seed: UInt64, outputDirectory: URL, anatomy: CohortAnatomy, spacingScale: Double = 1,
        withSkull: Bool = false, headMotion: Bool = false, logger: Logger? = nil,
        progress: ((_ written: Int, _ total: Int) -> Void)? = nil
    ) throws(VolumeError) -> CohortSummary {
        let atlasSpacing = max(1, spacingScale / 1.5)
        let atlas: TissueAtlas
        let anatomyName: String
        switch anatomy {
        case .template(let folder):
            atlas = try TissueAtlas.template(folder: folder, spacing: atlasSpacing)
            anatomyName = "MNI ICBM152 2009a"
        case .phantom:
            atlas = HeadPhantom.atlas(spacing: atlasSpacing)
            anatomyName = "procedural phantom"
        }
        do {
            try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw VolumeError(
                .writeFailed, file: outputDirectory.path,
                detail: "cannot create the folder: \(error.localizedDescription)")
        }
        let synthesizer = SubjectSynthesizer(atlas: atlas, spacingScale: spacingScale, withSkull: withSkull)
        var summaries: [CohortSummary.Case] = []
        for index in 0..<cases {
            let id = String(format: "Synth_%05d", index + 1)
            var subject = synthesizer.synthesize(seed: seed, index: index)
            let motion = headMotion ? HeadMotion.draw(seed: seed, index: index) : nil
            if let motion { subject.t2 = motion.applied(to: subject.t2) }
            let folder = outputDirectory.appendingPathComponent(id)
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                throw VolumeError(.writeFailed, caseID: id, file: folder.path, detail: error.localizedDescription)
            }
            try NIfTI.write(subject.t1c, to: folder.appendingPathComponent("\(id)_t1ce.nii.gz"), datatype: .int16)
            try NIfTI.write(subject.t2, to: folder.appendingPathComponent("\(id)_t2.nii.gz"), datatype: .int16)
            try NIfTI.write(subject.label, to: folder.appendingPathComponent("\(id)_seg.nii.gz"))
            if let brainMask = subject.brainMask {
                try NIfTI.write(brainMask, to: folder.appendingPathComponent("\(id)_brainmask.nii.gz"))
            }
            let spacing = subject.label.spacing
            let voxel = spacing.x * spacing.y * spacing.z
            var counts = [Int](repeating: 0, count: 256)
            for value in subject.label.voxels { counts[Int(value)] += 1 }
            summaries.append(
                CohortSummary.Case(
                    id: id, subtype: subject.subtype, enhancingVolume: Double(counts[4]) * voxel,
                    coreVolume: Double(counts[4] + counts[1]) * voxel,
                    wholeTumorVolume: Double(counts[4] + counts[1] + counts[2]) * voxel,
                    shape: [subject.label.shape.x, subject.label.shape.y, subject.label.shape.z],
                    spacing: [spacing.x, spacing.y, spacing.z].map { ($0 * 1e4).rounded() / 1e4 },
                    orientation: (try? subject.label.axisCodes().description) ?? "?", t2Motion: motion))
            logger?.debug(
                "synthetic case written", metadata: ["case_id": "\(id)", "subtype": "\(subject.subtype.rawValue)"])
            progress?(index + 1, cases)
        }
        var subtypeCounts: [String: Int] = [:]
        for subtype in TumorSubtype.allCases {
            subtypeCounts[subtype.rawValue] = summaries.filter { $0.subtype == subtype }.count
        }
        let summary = CohortSummary(
            seed: seed, anatomy: anatomyName, spacingScale: spacingScale,
            subtypeCounts: subtypeCounts, cases: summaries, withSkull: withSkull ? true : nil)
        try write(summary, to: outputDirectory)
        return summary
    }

    private static func write(_ summary: CohortSummary, to folder: URL) throws(VolumeError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var csv = "case_id,subtype,enhancing_mm3,core_mm3,whole_tumor_mm3,shape,spacing_mm,orientation\n"
        for item in summary.cases {
            let fields: [String] = [
                item.id, item.subtype.rawValue, String(format: "%.1f", item.enhancingVolume),
                String(format: "%.1f", item.coreVolume),
                String(format: "%.1f", item.wholeTumorVolume), item.shape.map(String.init).joined(separator: "x"),
                item.spacing.map { String(format: "%.3f", $0) }.joined(separator: "x"), item.orientation,
            ]
            csv += fields.joined(separator: ",") + "\n"
        }
        for (name, data) in [("cohort.json", try? encoder.encode(summary)), ("cohort.csv", Data(csv.utf8))] {
            let url = folder.appendingPathComponent(name)
            do {
                guard let data else {
                    throw VolumeError(.writeFailed, file: url.path, detail: "cannot encode the summary")
                }
                try data.write(to: url, options: .atomic)
            } catch {
                throw VolumeError(.writeFailed, file: url.path, detail: "\(error)")
            }
        }
    }
}
