import Bus
import Foundation
import Proto
import ServiceRuntime
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The dashboard as a researcher uses it, in a real browser (headless chromium) against every
/// service running as its own process on the `tiny` profile: a two-round comparison of random and
/// margins runs, then each page is photographed and read, and an event published while the
/// experiment's page is open appears on it without a reload.
@Suite(.serialized, .tags(.stack), .needsLocalStack) struct DashboardEndToEndTests {
    static let rounds = 2

    /// Where the screenshots stay after the run, for a person to look at.
    static let screenshots = FileManager.default.temporaryDirectory.appendingPathComponent(
        "activeseg-dashboard-screenshots", isDirectory: true)

    @Test func aComparisonIsFollowedOnTheDashboardInABrowser() async throws {
        try Chromium.requireInstalled()
        let port = try LoopbackSocket.freePort()
        let base = "http://127.0.0.1:\(port)"
        try await ServiceProcesses.with(
            ServiceProcesses.services + ["dashboard"], settings: ["ACTIVESEG_DASHBOARD_PORT": "\(port)"]
        ) { stack in
            let (folder, environment) = (stack.folder.url, stack.environment)
            let dataset = try #require(try await stack.ingestSyntheticCohort()["dataset_id"] as? String)
            let compare = await activeseg(
                [
                    "experiment", "compare", "--dataset", dataset, "--profile", "tiny", "--rounds", "\(Self.rounds)",
                    "--strategy", "random", "--strategy", "margins", "--ids-out", "ids.txt",
                ], in: folder, environment: environment)
            try #require(compare.status == .success, "\(compare.errors)")
            let ids = try String(contentsOf: folder.appendingPathComponent("ids.txt"), encoding: .utf8)
                .split(separator: "\n").map(String.init)
            try #require(ids.count == 2)
            let margins = ids[1]

            try FileManager.default.createDirectory(at: Self.screenshots, withIntermediateDirectories: true)
            for (name, path) in [
                ("experiments", "/"), ("experiment", "/experiments/\(margins)"), ("comparisons", "/comparisons"),
            ] {
                try await Chromium.screenshot(base + path, to: Self.screenshots.appendingPathComponent("\(name).png"))
            }
            print("dashboard screenshots: \(Self.screenshots.path)")

            let list = try await Chromium.dom(base + "/")
            for id in ids { #expect(list.contains("/experiments/\(id)"), "the experiments page misses \(id)") }

            let page = try await Chromium.dom(base + "/experiments/\(margins)")
            let curve = try #require(page.range(of: "<section id=\"curve\">").map { page[$0.lowerBound...] })
            let figure = curve[..<(curve.range(of: "</svg>")?.upperBound ?? curve.endIndex)]
            #expect(
                figure.components(separatedBy: "<circle").count - 1 == Self.rounds + 1,
                "the curve has a point per round:\n\(figure)")
            #expect(figure.contains("equivalence-margin") && figure.contains("full-data"))
            #expect(Self.rows(of: "tost", in: page) == Self.rounds + 1, "a TOST row per round")
            #expect(page.contains("id=\"equivalence\""))
            // The tiny profile annotates 4 initial cases and picks 2 more in each later round.
            #expect(Self.rows(of: "picks", in: page) == 4 + 2 * Self.rounds, "every pick is listed")
            #expect(Self.rows(of: "timeline", in: page) == Self.rounds + 1)
            #expect(Self.rows(of: "training", in: page) > 0, "the last round's training epochs are shown")
            try await checkPictures(in: page, base: base)

            let comparisons = try await Chromium.dom(base + "/comparisons")
            #expect(Self.rows(of: "comparison-0", in: comparisons) == 2, "\(comparisons)")

            try await checkLiveUpdate(of: margins, base: base, environment: environment)
        }
    }

    /// The picks of rounds 1 and later have their overlay picture, which the scorer draws on the
    /// first request: a PNG, the same bytes when asked again.
    private func checkPictures(in page: String, base: String) async throws {
        let sources = page.components(separatedBy: "<img class=\"overlay\" src=\"").dropFirst().map {
            String($0.prefix { $0 != "\"" })
        }
        #expect(sources.count == 2 * Self.rounds, "a picture for each pick a model made")
        let source = try #require(sources.first)
        var pictures: [Data] = []
        for _ in 0..<2 {
            let (data, response) = try await URLSession.shared.data(from: try #require(URL(string: base + source)))
            let http = try #require(response as? HTTPURLResponse)
            #expect(http.statusCode == 200 && http.value(forHTTPHeaderField: "Content-Type") == "image/png")
            #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
            pictures.append(data)
        }
        #expect(pictures[0] == pictures[1])
        let (_, missing) = try await URLSession.shared.data(
            from: try #require(
                URL(string: base + source.replacingOccurrences(of: "/overlay.png", with: "9/overlay.png"))))
        #expect((missing as? HTTPURLResponse)?.statusCode == 404, "a pick that does not exist has no picture")
    }

    /// Opens the experiment's page, publishes a training-progress event for it, and reads the page
    /// again: the new epoch shows up, and the page's own state (a marker set before) survived, so it
    /// was updated in place by its event stream, not reloaded.
    private func checkLiveUpdate(of experiment: String, base: String, environment: [String: String]) async throws {
        let session = try Chromium.Session(base + "/experiments/\(experiment)")
        defer { session.close() }
        try await within(.seconds(60), "the page to load") {
            // The page starts as about:blank; wait for the dashboard's page itself.
            while try session.evaluate("document.readyState == 'complete' && document.getElementById('live') != null")
                as? Bool != true
            {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        _ = try session.evaluate("window.marker = 'kept'; 1")
        // Give the page's EventSource time to connect before the event is stored.
        try await Task.sleep(for: .seconds(2))

        let configuration = try ServiceConfiguration(service: "dashboard-tests", environment: environment)
        let connection = try await BusConnection.connect(configuration.bus, logger: .init(label: "dashboard-tests"))
        let events = EventStream(
            jetStream: try JetStream(connection: connection), subjectPrefix: configuration.subjectPrefix)
        try await events.publish(
            TrainProgress.with {
                $0.jobID = "dashboard-test"
                $0.experimentID = experiment
                $0.round = UInt32(Self.rounds)
                $0.epoch = 777
                $0.trainingLoss = 0.4242
                $0.validationDice = 0.5
            }, scope: experiment, id: "dashboard-test-\(experiment)", source: "dashboard-tests")
        await connection.close()

        let shown = try await within(.seconds(30), "the event to appear on the open page") {
            while true {
                let text = try session.evaluate("document.getElementById('training').innerText") as? String ?? ""
                if text.contains("777") && text.contains("0.4242") { return text }
                try await Task.sleep(for: .milliseconds(250))
            }
        }
        #expect(shown.contains("777"))
        #expect(try session.evaluate("window.marker") as? String == "kept", "the page was reloaded")
    }

    /// Body rows of the table with `id` in `html`.
    static func rows(of id: String, in html: String) -> Int {
        guard let start = html.range(of: "<table id=\"\(id)\"") else { return 0 }
        let table = html[start.upperBound...]
        let body = table[..<(table.range(of: "</table>")?.lowerBound ?? table.endIndex)]
        return body.components(separatedBy: "<tr>").count - 2
    }
}
