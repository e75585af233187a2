import CommandLineTools
import Foundation
import ServiceRuntime
import TestSupport
import Testing
import Volume

/// The commands a user runs, in the order docs/command-line.md gives them, against every service running as
/// its own process on the `tiny` profile: synth → ingest → a two-round compare of random and
/// margins → report, then the experiment's events, its stored models and a prediction with one.
@Suite(.serialized, .tags(.stack), .needsLocalStack) struct CommandLineEndToEndTests {
    static let strategies = ["random", "margins"]
    static let rounds = 2

    @Test func aComparisonRunsFromSynthToReportOnTheServiceProcesses() async throws {
        try await ServiceProcesses.with { stack in
            let (folder, environment) = (stack.folder.url, stack.environment)
            let ingested = try await stack.ingestSyntheticCohort()
            let dataset = try #require(ingested["dataset_id"] as? String)
            #expect((ingested["outcomes"] as? [Any])?.count == 16)

            let compare = await activeseg(
                [
                    "experiment", "compare", "--dataset", dataset, "--profile", "tiny", "--rounds", "\(Self.rounds)",
                    "--ids-out", "ids.txt",
                ] + Self.strategies.flatMap { ["--strategy", $0] },
                in: folder, environment: environment)
            try #require(compare.status == .success, "\(compare.errors)")
            for strategy in Self.strategies {
                #expect(
                    compare.output.split(separator: "\n").contains { $0.hasPrefix(strategy + " ") },
                    "the comparison table has no \(strategy) row:\n\(compare.output)")
                // Every finished round is shown against the margin as it happens.
                for round in 0...Self.rounds {
                    #expect(
                        compare.errors.contains("  \(strategy)  round \(round): \(4 + 2 * round) cases ("),
                        "no progress line for \(strategy) round \(round):\n\(compare.errors)")
                }
            }
            #expect(
                compare.errors.split(separator: "\n").filter { $0.contains("] Margin ±") }.count == 1,
                "the margin is explained once:\n\(compare.errors)")
            #expect(
                compare.output.contains("AUBC")
                    && compare.output.contains("one repetition per strategy: single values"),
                "\(compare.output)")
            let ids = try String(contentsOf: folder.appendingPathComponent("ids.txt"), encoding: .utf8)
                .split(separator: "\n").map(String.init)
            try #require(ids.count == Self.strategies.count)

            try await checkReport(folder: folder, environment: environment)
            try await checkReplay(of: ids[1], folder: folder, environment: environment)
            try await checkPrediction(with: ids[1], folder: folder, environment: environment)
            try await checkPings(folder: folder, environment: environment)
        }
    }

    /// summary.md has a row per strategy; rounds.csv every round of each with its annotated cases
    /// (the tiny profile's 4 initial cases and 2 more per round); the curve and per-case files exist,
    /// and a picture of every case picked after round 0.
    private func checkReport(folder: URL, environment: [String: String]) async throws {
        let report = await activeseg(
            ["report", "--ids", "ids.txt", "--out", "report"], in: folder, environment: environment)
        try #require(report.status == .success, "\(report.errors)")
        let files = folder.appendingPathComponent("report")
        let summary = try String(contentsOf: files.appendingPathComponent("summary.md"), encoding: .utf8)
        let rows = summary.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| Strategy") }
        #expect(rows.map { $0.split(separator: "|").first?.trimmingCharacters(in: .whitespaces) } == Self.strategies)
        #expect(summary.contains("Relative to random"))

        let csv = try String(contentsOf: files.appendingPathComponent("rounds.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        let header = try #require(lines.first)
        let (strategy, round, annotated) = try (
            #require(header.firstIndex(of: "strategy")),
            #require(header.firstIndex(of: "round")),
            #require(header.firstIndex(of: "annotated_cases"))
        )
        let body = lines.dropFirst()
        for name in Self.strategies {
            let own = body.filter { $0[strategy] == name }
            #expect(own.map { Int($0[round]) } == Array(0...Self.rounds), "\(name)'s rounds")
            #expect(own.map { Int($0[annotated]) } == [4, 6, 8], "\(name)'s annotated cases")
        }
        #expect(Set(body.map { $0[strategy] }) == Set(Self.strategies))

        let svg = try String(contentsOf: files.appendingPathComponent("learning-curve.svg"), encoding: .utf8)
        #expect(svg.hasPrefix("<svg") || svg.hasPrefix("<?xml"))
        // Each strategy's four picks (two in each of rounds 1 and 2), drawn as PNG.
        for name in Self.strategies {
            let pictures = try FileManager.default.contentsOfDirectory(
                atPath: files.appendingPathComponent("overlays/\(name)").path
            ).sorted()
            #expect(
                pictures.map { $0.split(separator: "-").prefix(3).joined(separator: "-") }
                    == ["round-1-0", "round-1-1", "round-2-0", "round-2-1"], "\(name)'s overlays: \(pictures)")
            for picture in pictures {
                let data = try Data(contentsOf: files.appendingPathComponent("overlays/\(name)/\(picture)"))
                #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(name)/\(picture) is no PNG")
            }
        }
        let perCase = try String(contentsOf: files.appendingPathComponent("per-case-dice.csv"), encoding: .utf8)
        #expect(
            Set(
                perCase.split(separator: "\n").dropFirst().compactMap {
                    $0.split(separator: ",").first.map(String.init)
                })
                == Set(Self.strategies + ["full-data"]))
    }

    /// The orchestrator's events of one experiment, replayed: each round opens with round.started,
    /// changes phase, closes with round.finished, rounds in order, and experiment.finished comes last.
    private func checkReplay(of experiment: String, folder: URL, environment: [String: String]) async throws {
        let tail = await activeseg(
            ["events", "tail", "--experiment", experiment, "--replay", "--until-finished", "--json"],
            in: folder, environment: environment)
        try #require(tail.status == .success, "\(tail.errors)")
        let events = try tail.output.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        let orchestrated = events.compactMap { event -> (kind: String, round: Int)? in
            guard let type = event["type"] as? String, type != "activeseg.v1.round.training" else { return nil }
            // Protobuf JSON leaves out a zero, so round 0 has no field.
            let round = (event["body"] as? [String: Any])?["round"] as? Int ?? 0
            return (String(type.dropFirst("activeseg.v1.".count)), round)
        }
        #expect(orchestrated.last?.kind == "experiment.finished")
        #expect(orchestrated.filter { $0.kind == "experiment.finished" }.count == 1)
        let roundEvents = orchestrated.filter { $0.kind != "experiment.finished" }
        #expect(roundEvents.map(\.round) == roundEvents.map(\.round).sorted(), "rounds out of order: \(roundEvents)")
        for round in 0...Self.rounds {
            let own = roundEvents.filter { $0.round == round }.map(\.kind)
            #expect(own.first == "round.started", "round \(round): \(own)")
            #expect(own.last == "round.finished", "round \(round): \(own)")
            #expect(
                own.dropFirst().dropLast().allSatisfy { $0 == "round.phase" } && own.count > 2, "round \(round): \(own)"
            )
        }
    }

    /// `model list` shows the experiment's models; `model predict --model-id` reads the last one
    /// from the artifact store and writes probability and label on the input's grid.
    private func checkPrediction(with experiment: String, folder: URL, environment: [String: String]) async throws {
        let list = await activeseg(
            ["model", "list", "--experiment", experiment, "--json"], in: folder, environment: environment)
        try #require(list.status == .success, "\(list.errors)")
        let models = try #require(try JSONSerialization.jsonObject(with: Data(list.output.utf8)) as? [[String: Any]])
        #expect(models.compactMap { $0["round"] as? Int } == Array(0...Self.rounds))
        let last = try #require(models.last?["id"] as? String)

        let t1c = "cohort/Synth_00001/Synth_00001_t1ce.nii.gz"
        let predict = await activeseg(
            [
                "model", "predict", "--model-id", last, t1c, "cohort/Synth_00001/Synth_00001_t2.nii.gz",
                "--out-prob", "p.nii.gz", "--out-label", "l.nii.gz",
            ],
            in: folder, environment: environment)
        try #require(predict.status == .success, "\(predict.errors)")
        let input = try NIfTI.readImage(at: folder.appendingPathComponent(t1c))
        let probabilities = try NIfTI.readImage(at: folder.appendingPathComponent("p.nii.gz"), requireContent: false)
        let label = try NIfTI.readLabels(at: folder.appendingPathComponent("l.nii.gz"), allowedValues: [0, 1])
        #expect(probabilities.shape == input.shape && probabilities.hasSameGrid(as: input))
        #expect(label.hasSameGrid(as: input))
        #expect(probabilities.voxels.allSatisfy { $0 >= 0 && $0 <= 1 })

        let unknown = await activeseg(
            [
                "model", "predict", "--model-id", UUID().uuidString, t1c,
                "cohort/Synth_00001/Synth_00001_t2.nii.gz", "--out-prob", "q.nii.gz",
                "--out-label", "m.nii.gz",
            ], in: folder, environment: environment)
        #expect(unknown.status == .dataError)
        #expect(unknown.errors.contains("activeseg model list"))
    }

    /// Every service answers `activeseg ping` with its instance and the product's version.
    private func checkPings(folder: URL, environment: [String: String]) async throws {
        let text = await activeseg(["ping", "stats"], in: folder, environment: environment)
        #expect(
            text.output.hasPrefix("stats cli-tests-stats: version \(ProductVersion.current), up "), "\(text.output)")
        for service in ServiceProcesses.services {
            let ping = await activeseg(["ping", service, "--json"], in: folder, environment: environment)
            try #require(ping.status == .success, "\(ping.errors)")
            let pong = try #require(try JSONSerialization.jsonObject(with: Data(ping.output.utf8)) as? [String: Any])
            #expect((pong["service"] as? String)?.lowercased() == service)
            #expect(pong["instance_id"] as? String == "cli-tests-\(service)")
            #expect(pong["version"] as? String == ProductVersion.current)
        }
    }
}
