import Foundation
import Logging
import SeededRandom
import Statistics
import TestSupport
import Testing
import Volume

@testable import SyntheticData

@Suite struct SyntheticCohortTests {
    @Test func sameSeedGivesIdenticalBytes() throws {
        let first = try TemporaryFolder(), second = try TemporaryFolder(), other = try TemporaryFolder()
        let a = try SyntheticCohort.generate(
            cases: 3, seed: 42, outputDirectory: first.url, anatomy: .phantom, spacingScale: 4)
        let b = try SyntheticCohort.generate(
            cases: 3, seed: 42, outputDirectory: second.url, anatomy: .phantom, spacingScale: 4)
        _ = try SyntheticCohort.generate(
            cases: 3, seed: 43, outputDirectory: other.url, anatomy: .phantom, spacingScale: 4)
        #expect(a == b)
        var differs = false
        for item in a.cases {
            for suffix in ["_t1ce.nii.gz", "_t2.nii.gz", "_seg.nii.gz"] {
                let path = "\(item.id)/\(item.id)\(suffix)"
                let bytes = try Data(contentsOf: first.file(path))
                #expect(bytes == (try Data(contentsOf: second.file(path))), "\(path)")
                if bytes != (try Data(contentsOf: other.file(path))) { differs = true }
            }
        }
        #expect(try Data(contentsOf: first.file("cohort.json")) == Data(contentsOf: second.file("cohort.json")))
        #expect(differs, "another seed gives another cohort")
    }

    /// FNV-1a over the cohort's files in name order (case folders, then the summaries).
    static func checksum(of folder: URL, cases: [String]) throws -> UInt64 {
        let names =
            cases.flatMap { id in ["_seg", "_t1ce", "_t2"].map { "\(id)/\(id)\($0).nii.gz" } } + [
                "cohort.csv", "cohort.json",
            ]
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for name in names {
            for byte in try Data(contentsOf: folder.appendingPathComponent(name)) {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
        }
        return hash
    }

    /// The checksums of these small cohorts were taken before subjects could have skull and scalp:
    /// with the option off, a cohort is byte for byte what it was.
    @Test func skullStrippedCohortKeepsItsBytes() throws {
        let folder = try TemporaryFolder()
        let summary = try SyntheticCohort.generate(
            cases: 3, seed: 42, outputDirectory: folder.url, anatomy: .phantom, spacingScale: 4)
        #expect(try Self.checksum(of: folder.url, cases: summary.cases.map(\.id)) == 0x21ae_454b_5716_a0dc)
        #expect(!FileManager.default.fileExists(atPath: folder.file("Synth_00001/Synth_00001_brainmask.nii.gz").path))
        if Self.templateAvailable {
            let template = try TemporaryFolder()
            let summary = try SyntheticCohort.generate(
                cases: 2, seed: 5, outputDirectory: template.url, anatomy: .template(folder: Self.templateFolder),
                spacingScale: 4)
            #expect(try Self.checksum(of: template.url, cases: summary.cases.map(\.id)) == 0xf20a_5a90_0458_b55d)
        }
    }

    @Test func headsHaveSkullAndScalpWithTissueContrasts() throws {
        let folder = try TemporaryFolder()
        let summary = try SyntheticCohort.generate(
            cases: 2, seed: 42, outputDirectory: folder.url, anatomy: .phantom, spacingScale: 3, withSkull: true)
        #expect(summary.withSkull == true)
        #expect(try String(contentsOf: folder.file("cohort.json"), encoding: .utf8).contains("\"withSkull\" : true"))
        for item in summary.cases {
            let base = "\(item.id)/\(item.id)"
            let t1 = try NIfTI.readImage(at: folder.file("\(base)_t1ce.nii.gz"))
            let t2 = try NIfTI.readImage(at: folder.file("\(base)_t2.nii.gz"))
            let label = try NIfTI.readLabels(at: folder.file("\(base)_seg.nii.gz"), allowedValues: [0, 1, 2, 4])
            let brain = try NIfTI.readLabels(at: folder.file("\(base)_brainmask.nii.gz"), allowedValues: [0, 1])
            #expect(brain.hasSameGrid(as: t1) && t2.hasSameGrid(as: t1) && label.hasSameGrid(as: t1))
            #expect(!zip(label.voxels, brain.voxels).contains { $0.0 != 0 && $0.1 == 0 }, "tumours lie in the brain")
            let spacing = t1.spacing
            let litres = Double(brain.foregroundVoxels) * spacing.x * spacing.y * spacing.z / 1e6
            #expect(litres > 0.8 && litres < 2.0)
            // By depth outside the brain: bone (dark on both), then scalp whose fat is the brightest
            // tissue on T1 and moderately bright on T2, then air (noise only).
            let depth = EuclideanDistanceTransform.squaredDistances(
                toSites: brain.voxels.map { $0 != 0 }, dimensions: SIMD3(t1.shape.x, t1.shape.y, t1.shape.z),
                spacing: spacing
            ).map { $0.squareRoot() }
            func quantile(_ image: Volume, _ range: ClosedRange<Double>, _ q: Double) -> Float {
                let values = zip(image.voxels, depth).filter { range.contains($0.1) }.map(\.0).sorted()
                return values[Int(q * Double(values.count - 1))]
            }
            let inside = (t1: quantile(t1, 0...0, 0.5), t2: quantile(t2, 0...0, 0.5))
            let bone = (t1: quantile(t1, 2.5...4.5, 0.5), t2: quantile(t2, 2.5...4.5, 0.5))
            let scalp = (t1: quantile(t1, 3...25, 0.95), t2: quantile(t2, 3...25, 0.95))
            let air = quantile(t1, 30...1000, 0.5)
            #expect(bone.t1 < 0.3 * inside.t1 && bone.t2 < 0.5 * inside.t2, "\(bone) \(inside)")
            #expect(scalp.t1 > inside.t1 && scalp.t1 > 5 * bone.t1, "\(scalp) \(inside)")
            #expect(scalp.t2 > 3 * bone.t2, "\(scalp) \(bone)")
            #expect(air > 0 && air < bone.t1 * 2, "noise in the air")
        }
    }

    @Test func labelsAreNonEmptyForEnhancingSubtypesAndInsideTheBrain() throws {
        let folder = try TemporaryFolder()
        let summary = try SyntheticCohort.generate(
            cases: 12, seed: 7, outputDirectory: folder.url, anatomy: .phantom, spacingScale: 4)
        #expect(summary.cases.count == 12)
        #expect(summary.subtypeCounts.values.reduce(0, +) == 12)
        #expect(Set(summary.cases.map(\.orientation)).count >= 3, "grids are written in varied orientations")
        for item in summary.cases {
            let t1c = try NIfTI.readImage(at: folder.file("\(item.id)/\(item.id)_t1ce.nii.gz"))
            let t2 = try NIfTI.readImage(at: folder.file("\(item.id)/\(item.id)_t2.nii.gz"))
            let label = try NIfTI.readLabels(
                at: folder.file("\(item.id)/\(item.id)_seg.nii.gz"), allowedValues: [0, 1, 2, 4])
            #expect(t1c.hasSameGrid(as: label) && t2.hasSameGrid(as: label))
            #expect(label.voxels.contains(4) == item.subtype.enhances, "\(item.id) \(item.subtype)")
            #expect(label.voxels.contains { $0 != 0 }, "every subject has a tumor")
            let outside = zip(label.voxels, t1c.voxels).filter { $0.0 != 0 && $0.1 == 0 }.count
            #expect(outside == 0, "labels lie inside the skull-stripped brain")
            let smallest = item.spacing.min()!, largest = item.spacing.max()!
            #expect(smallest >= 3.6 - 1e-6 && largest <= 7.68 + 1e-6)
            // Enhancing tumor is brighter on T1c than the brain around it.
            if item.subtype.enhances && item.subtype != .faintEnhancing {
                let tumor = zip(label.voxels, t1c.voxels).filter { $0.0 == 4 }.map { Double($0.1) }
                let brain = zip(label.voxels, t1c.voxels).filter { $0.0 == 0 && $0.1 != 0 }.map { Double($0.1) }
                let tumorMean = tumor.reduce(0, +) / Double(tumor.count)
                let brainMean = brain.reduce(0, +) / Double(brain.count)
                #expect(tumorMean > 1.15 * brainMean)
            }
        }
    }

    @Test func cohortGoesThroughTheBraTSImporter() async throws {
        let folder = try TemporaryFolder()
        _ = try SyntheticCohort.generate(
            cases: 4, seed: 3, outputDirectory: folder.url, anatomy: .phantom, spacingScale: 4)
        let discoveries = try BraTSDataset.discover(root: folder.url)
        #expect(discoveries.count == 4)
        var configuration = PreprocessingConfiguration()
        configuration.spacing = SIMD3(repeating: 5)
        let importer = CaseImporter(
            preprocessor: Preprocessor(configuration), concurrency: 2, logger: Logger(label: "test"))
        var results: [String: Result<PreprocessedCase, VolumeError>] = [:]
        for await result in importer.results(for: discoveries) { results[result.caseID] = result.outcome }
        #expect(results.count == 4)
        for (id, outcome) in results {
            let preprocessed = try #require(try? outcome.get(), "\(id)")
            let voxels = preprocessed.t1c.shape.count
            #expect(voxels > 8000 && voxels < 110_592)
            #expect(try preprocessed.t1c.axisCodes() == .lps)
        }
    }

    static let templateFolder = URL(
        fileURLWithPath: ProcessInfo.processInfo.environment["ACTIVESEG_TEMPLATE_DIR"]
            ?? NSHomeDirectory() + "/.cache/activeseg/mni-icbm152-2009a")
    static let templateAvailable = FileManager.default.fileExists(
        atPath: templateFolder.appendingPathComponent(TissueAtlas.templateFiles.whiteMatter).path)

    @Test(
        "the MNI template gives labelled subjects inside its brain (after scripts/fetch-template)",
        .enabled(if: templateAvailable))
    func templateAnatomy() throws {
        let folder = try TemporaryFolder()
        let summary = try SyntheticCohort.generate(
            cases: 4, seed: 11, outputDirectory: folder.url,
            anatomy: .template(folder: Self.templateFolder), spacingScale: 4)
        #expect(summary.anatomy == "MNI ICBM152 2009a")
        for item in summary.cases {
            let t1c = try NIfTI.readImage(at: folder.file("\(item.id)/\(item.id)_t1ce.nii.gz"))
            let label = try NIfTI.readLabels(
                at: folder.file("\(item.id)/\(item.id)_seg.nii.gz"), allowedValues: [0, 1, 2, 4])
            #expect(label.voxels.contains(4) == item.subtype.enhances)
            #expect(!zip(label.voxels, t1c.voxels).contains { $0.0 != 0 && $0.1 == 0 })
            // A brain of roughly adult size (with its CSF rim): 0.9–2 litres of nonzero voxels.
            let spacing = t1c.spacing
            let litres = Double(t1c.voxels.filter { $0 != 0 }.count) * spacing.x * spacing.y * spacing.z / 1e6
            #expect(litres > 0.9 && litres < 2.0)
        }
    }

    @Test func missingTemplateIsAnErrorNotAFallback() throws {
        let folder = try TemporaryFolder()
        do {
            _ = try SyntheticCohort.generate(
                cases: 1, seed: 1, outputDirectory: folder.file("out"),
                anatomy: .template(folder: folder.file("no-template")), spacingScale: 4)
            Issue.record("generation without the template succeeded")
        } catch {
            #expect(error.code == .missingTemplate)
        }
    }

    @Test func rareSubtypesAreRare() {
        var generator = SeededGenerator(seed: 99)
        var counts: [TumorSubtype: Int] = [:]
        for _ in 0..<5000 { counts[TumorSubtype.draw(&generator), default: 0] += 1 }
        for subtype in TumorSubtype.allCases {
            let share = Double(counts[subtype, default: 0]) / 5000
            #expect(abs(share - subtype.prevalence) < 0.02)
        }
        let total = TumorSubtype.allCases.map(\.prevalence).reduce(0, +)
        #expect(abs(total - 1) < 1e-12)
    }
}
