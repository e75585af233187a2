import Foundation
import Logging
import SeededRandom
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
