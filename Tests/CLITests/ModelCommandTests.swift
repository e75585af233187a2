import CommandLineTools
import Foundation
import Neural
import TestSupport
import Testing
import Volume

@Suite struct ModelCommandTests {
    @Test func initWithTheSameSeedWritesIdenticalBytes() async throws {
        let folder = try TemporaryFolder()
        for name in ["a", "b"] {
            let run = await activeseg(
                ["model", "init", "--profile", "tiny", "--seed", "7", "--out", "\(name).safetensors"],
                in: folder.url)
            #expect(run.status == .success, "\(run.errors)")
        }
        let other = await activeseg(
            ["model", "init", "--profile", "tiny", "--seed", "8", "--out", "c.safetensors"], in: folder.url)
        #expect(other.status == .success)
        let a = try Data(contentsOf: folder.file("a.safetensors"))
        #expect(a == (try Data(contentsOf: folder.file("b.safetensors"))))
        #expect(a != (try Data(contentsOf: folder.file("c.safetensors"))), "another seed gives other weights")
        let loaded = try Checkpoint.load(from: folder.file("a.safetensors"))
        #expect(loaded.metadata["profile"] == "tiny")
        #expect(loaded.metadata["seed"] == "7")
    }

    @Test func anUnknownProfileIsAUsageError() async throws {
        let folder = try TemporaryFolder()
        let run = await activeseg(
            ["model", "init", "--profile", "huge", "--seed", "1", "--out", "m.safetensors"], in: folder.url)
        #expect(run.status == .usage)
        #expect(!FileManager.default.fileExists(atPath: folder.file("m.safetensors").path))
    }

    @Test(arguments: [[], ["--mc", "3"], ["--mirror"]])
    func predictWritesProbabilityAndLabelOnTheInputGrid(options: [String]) async throws {
        let folder = try TemporaryFolder()
        let synth = await activeseg(
            [
                "synth", "--cases", "1", "--seed", "5", "--out", "cohort", "--anatomy", "phantom",
                "--spacing-scale", "4",
            ], in: folder.url)
        #expect(synth.status == .success, "\(synth.errors)")
        let initRun = await activeseg(
            ["model", "init", "--profile", "tiny", "--seed", "3", "--out", "m.safetensors"],
            in: folder.url)
        #expect(initRun.status == .success, "\(initRun.errors)")

        let t1c = "cohort/Synth_00001/Synth_00001_t1ce.nii.gz"
        let run = await activeseg(
            [
                "model", "predict", "--checkpoint", "m.safetensors", t1c, "cohort/Synth_00001/Synth_00001_t2.nii.gz",
                "--out-prob", "p.nii.gz", "--out-label", "l.nii.gz",
            ] + options,
            in: folder.url)
        #expect(run.status == .success, "\(run.errors)")

        let input = try NIfTI.readImage(at: folder.file(t1c))
        let probabilities = try NIfTI.readImage(at: folder.file("p.nii.gz"), requireContent: false)
        let label = try NIfTI.readLabels(at: folder.file("l.nii.gz"), allowedValues: [0, 1])
        #expect(probabilities.shape == input.shape)
        #expect(probabilities.hasSameGrid(as: input))
        #expect(label.hasSameGrid(as: input))
        #expect(probabilities.voxels.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(probabilities.voxels.contains { $0 > 0 }, "the brain holds non-zero probabilities")
        for (p, l) in zip(probabilities.voxels, label.voxels) where (p >= 0.5) != (l == 1) {
            Issue.record("label \(l) disagrees with probability \(p)")
            break
        }
    }

    @Test func aFileThatIsNoCheckpointIsADataError() async throws {
        let folder = try TemporaryFolder()
        try Data("not a checkpoint".utf8).write(to: folder.file("m.safetensors"))
        let run = await activeseg(
            [
                "model", "predict", "--checkpoint", "m.safetensors", "a.nii.gz", "b.nii.gz",
                "--out-prob", "p.nii.gz", "--out-label", "l.nii.gz",
            ], in: folder.url)
        #expect(run.status == .dataError)
        #expect(run.errors.contains("not a usable checkpoint"))
    }
}
