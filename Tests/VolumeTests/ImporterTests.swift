import Foundation
import Logging
import TestSupport
import Testing

@testable import Volume

/// Writes a small skull-stripped-like case (a brain ellipsoid with an enhancing sphere).
func writeCase(t1c: URL, t2: URL, label: URL?, enhancing: UInt8 = 4) throws {
    let shape = GridShape(24, 26, 18)
    let affine = Affine.scaling(1.1, 1.1, 1.4)
    var image = Volume(shape: shape, affine: affine, voxels: .init(repeating: 0, count: shape.count))
    var labels = LabelVolume(shape: shape, affine: affine, voxels: .init(repeating: 0, count: shape.count))
    for k in 0..<shape.z {
        for j in 0..<shape.y {
            for i in 0..<shape.x {
                let x = Double(i - 12) / 9, y = Double(j - 13) / 10, z = Double(k - 9) / 7
                guard x * x + y * y + z * z < 1 else { continue }
                let tumor = abs(i - 14) + abs(j - 12) + abs(k - 9) < 4
                image[i, j, k] = tumor ? 800 : 300 + Float(i + j)
                labels[i, j, k] = tumor ? enhancing : 0
            }
        }
    }
    for url in [t1c, t2] + (label.map { [$0] } ?? []) {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    }
    try NIfTI.write(image, to: t1c)
    try NIfTI.write(image, to: t2, datatype: .int16)
    if let label { try NIfTI.write(labels, to: label) }
}

func collect(
    _ importer: CaseImporter, _ discoveries: [CaseDiscovery]
) async -> [String: Result<PreprocessedCase, VolumeError>] {
    var results: [String: Result<PreprocessedCase, VolumeError>] = [:]
    for await result in importer.results(for: discoveries) { results[result.caseID] = result.outcome }
    return results
}

extension Result {
    var failureCode: VolumeError.Code? {
        if case .failure(let error) = self { return (error as? VolumeError)?.code }
        return nil
    }
    var value: Success? { try? get() }
}

@Suite struct ImporterTests {
    let importer = CaseImporter(concurrency: 2, logger: Logger(label: "activeseg.volume.tests"))

    @Test func bratsTwentyTwentyOneFoldersWithBadCasesGoOn() async throws {
        let root = try TemporaryFolder()
        for id in ["BraTS2021_00000", "BraTS2021_00002"] {
            let folder = root.url.appendingPathComponent(id)
            try writeCase(
                t1c: folder.appendingPathComponent("\(id)_t1ce.nii.gz"),
                t2: folder.appendingPathComponent("\(id)_t2.nii.gz"),
                label: folder.appendingPathComponent("\(id)_seg.nii.gz"))
            try Data().write(to: folder.appendingPathComponent("\(id)_flair.nii.gz"))
        }
        let missing = root.url.appendingPathComponent("BraTS2021_00003")
        try writeCase(
            t1c: missing.appendingPathComponent("BraTS2021_00003_t1ce.nii.gz"),
            t2: missing.appendingPathComponent("BraTS2021_00003_t2.nii.gz"), label: nil)
        try FileManager.default.removeItem(at: missing.appendingPathComponent("BraTS2021_00003_t2.nii.gz"))
        let corrupt = root.url.appendingPathComponent("BraTS2021_00004")
        try writeCase(
            t1c: corrupt.appendingPathComponent("BraTS2021_00004_t1ce.nii.gz"),
            t2: corrupt.appendingPathComponent("BraTS2021_00004_t2.nii.gz"), label: nil)
        let t1c = corrupt.appendingPathComponent("BraTS2021_00004_t1ce.nii.gz")
        try Data(contentsOf: t1c).prefix(300).write(to: t1c)

        let discoveries = try BraTSDataset.discover(root: root.url)
        #expect(discoveries.count == 4)
        let results = await collect(importer, discoveries)
        #expect(results.count == 4)
        let good = try #require(results["BraTS2021_00000"]?.value)
        #expect(good.label.map { Set($0.voxels) } == [0, 1])
        #expect(results["BraTS2021_00002"]?.value != nil)
        #expect(results["BraTS2021_00003"]?.failureCode == .missingFile)
        #expect(results["BraTS2021_00004"]?.failureCode == .corruptData)
    }

    @Test func bratsTwentyTwentyThreeNamesUseLabelThree() async throws {
        let root = try TemporaryFolder()
        let id = "BraTS-GLI-00005-000"
        let folder = root.url.appendingPathComponent(id)
        try writeCase(
            t1c: folder.appendingPathComponent("\(id)-t1c.nii.gz"),
            t2: folder.appendingPathComponent("\(id)-t2w.nii.gz"),
            label: folder.appendingPathComponent("\(id)-seg.nii.gz"), enhancing: 3)
        let discoveries = try BraTSDataset.discover(root: root.url)
        #expect(try discoveries[0].get().labelConvention == .brats2023)
        let results = await collect(importer, discoveries)
        #expect(try #require(results[id]?.value?.label).voxels.contains(1))
    }

    @Test func labelOutsideTheDeclaredSetNamesCaseAndFile() async throws {
        let root = try TemporaryFolder()
        let id = "BraTS2021_00010"
        let folder = root.url.appendingPathComponent(id)
        // 2021 names with the 2023 label coding: 3 is not a BraTS 2021 label.
        try writeCase(
            t1c: folder.appendingPathComponent("\(id)_t1ce.nii.gz"),
            t2: folder.appendingPathComponent("\(id)_t2.nii.gz"),
            label: folder.appendingPathComponent("\(id)_seg.nii.gz"), enhancing: 3)
        let results = await collect(importer, try BraTSDataset.discover(root: root.url))
        guard case .failure(let error) = results[id] else {
            Issue.record("label 3 was accepted under BraTS 2021 naming")
            return
        }
        #expect(
            error.code == .unexpectedLabel && error.caseID == id && error.file?.hasSuffix("\(id)_seg.nii.gz") == true)
    }

    @Test func labelOnAnotherGridNamesTheLabelFile() async throws {
        let root = try TemporaryFolder()
        let id = "BraTS2021_00011"
        let folder = root.url.appendingPathComponent(id)
        let seg = folder.appendingPathComponent("\(id)_seg.nii.gz")
        try writeCase(
            t1c: folder.appendingPathComponent("\(id)_t1ce.nii.gz"),
            t2: folder.appendingPathComponent("\(id)_t2.nii.gz"),
            label: seg)
        var labels = try NIfTI.readLabels(at: seg, allowedValues: [0, 4])
        labels = labels.cropped(lower: SIMD3(0, 0, 0), upper: SIMD3(labels.shape.x - 2, labels.shape.y, labels.shape.z))
        try NIfTI.write(labels, to: seg)
        let results = await collect(importer, try BraTSDataset.discover(root: root.url))
        guard case .failure(let error) = results[id] else {
            Issue.record("a label of another size was accepted")
            return
        }
        #expect(
            error.code == .gridMismatch && error.caseID == id && error.file?.hasSuffix("\(id)/\(id)_seg.nii.gz") == true
        )
    }

    @Test func symlinkedCaseFolderLeavingTheRootIsRejected() throws {
        let root = try TemporaryFolder()
        let outside = try TemporaryFolder()
        try writeCase(t1c: outside.file("x_t1ce.nii.gz"), t2: outside.file("x_t2.nii.gz"), label: nil)
        try FileManager.default.createSymbolicLink(
            at: root.url.appendingPathComponent("escape"), withDestinationURL: outside.url)
        let discoveries = try BraTSDataset.discover(root: root.url)
        #expect(discoveries.count == 1)
        #expect(discoveries[0].failureCode == .pathOutsideRoot)
    }

    @Test func nnUNetChannelNamesChooseT1cAndT2() async throws {
        let root = try TemporaryFolder()
        let json =
            #"{"channel_names": {"0": "T2", "1": "T1Gd"}, "labels": {"background": 0, "edema": 1, "enhancing tumor": 2}, "numTraining": 2, "file_ending": ".nii.gz"}"#
        try Data(json.utf8).write(to: root.file("dataset.json"))
        for id in ["GLI_001", "GLI_002"] {
            try writeCase(
                t1c: root.file("imagesTr/\(id)_0001.nii.gz"), t2: root.file("imagesTr/\(id)_0000.nii.gz"),
                label: root.file("labelsTr/\(id).nii.gz"), enhancing: 2)
        }
        try writeCase(
            t1c: root.file("imagesTs/GLI_100_0001.nii.gz"), t2: root.file("imagesTs/GLI_100_0000.nii.gz"), label: nil)
        let discoveries = try NNUNetDataset.discover(root: root.url)
        let sources = try discoveries.map { try $0.get() }
        #expect(sources.map(\.id) == ["GLI_001", "GLI_002", "GLI_100"])
        #expect(sources[0].t1c.lastPathComponent == "GLI_001_0001.nii.gz")
        #expect(sources[0].t2.lastPathComponent == "GLI_001_0000.nii.gz")
        #expect(sources[2].label == nil)
        #expect(sources[0].labelConvention == LabelConvention(declaredValues: [0, 1, 2], foregroundValues: [2]))
        let results = await collect(importer, discoveries)
        #expect(try #require(results["GLI_001"]?.value?.label).voxels.contains(1))
        #expect(results["GLI_100"]?.value?.label == nil)
    }

    @Test func nnUNetWithoutAT1cChannelIsInvalid() throws {
        let root = try TemporaryFolder()
        try Data(#"{"channel_names": {"0": "FLAIR", "1": "T2"}, "labels": {"background": 0, "ET": 1}}"#.utf8)
            .write(to: root.file("dataset.json"))
        #expect(throws: VolumeError.self) { try NNUNetDataset.discover(root: root.url) }
    }

    @Test func manifestRowsResolveInsideTheRootOnly() async throws {
        let root = try TemporaryFolder()
        let outside = try TemporaryFolder()
        try writeCase(t1c: root.file("a/t1c.nii.gz"), t2: root.file("a/t2.nii.gz"), label: root.file("a/seg.nii.gz"))
        try writeCase(t1c: outside.file("t1c.nii.gz"), t2: outside.file("t2.nii.gz"), label: nil)
        try FileManager.default.createSymbolicLink(
            at: root.file("linked.nii.gz"), withDestinationURL: outside.file("t2.nii.gz"))
        let csv = """
            case_id,t1c,t2,label
            a,a/t1c.nii.gz,a/t2.nii.gz,a/seg.nii.gz
            "b, unlabelled",a/t1c.nii.gz,a/./t2.nii.gz,
            up,../\(outside.url.lastPathComponent)/t1c.nii.gz,a/t2.nii.gz,
            link,a/t1c.nii.gz,linked.nii.gz,
            short,a/t1c.nii.gz
            """
        try Data(csv.utf8).write(to: root.file("manifest.csv"))
        let discoveries = try ManifestDataset.discover(manifest: root.file("manifest.csv"), root: root.url)
        #expect(discoveries.count == 5)
        #expect(discoveries[2].failureCode == .pathOutsideRoot)
        #expect(discoveries[3].failureCode == .pathOutsideRoot)
        #expect(discoveries[4].failureCode == .invalidDataset)
        let results = await collect(importer, discoveries)
        #expect(results["a"]?.value?.label != nil)
        #expect(results["b, unlabelled"]?.value != nil && results["b, unlabelled"]?.value?.label == nil)
    }

    @Test func manifestWithAWrongHeaderIsInvalid() throws {
        let root = try TemporaryFolder()
        try Data("id,image\n".utf8).write(to: root.file("m.csv"))
        #expect(throws: VolumeError.self) { try ManifestDataset.discover(manifest: root.file("m.csv"), root: root.url) }
    }
}
