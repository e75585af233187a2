import Foundation
import Proto
import Statistics
import Testing

@testable import DashboardService

/// The pages rendered from their models, without servers.
@Suite struct PageRenderingTests {
    static let start = Date(timeIntervalSince1970: 1_700_000_000)

    static func status(name: String = "margins <run>") -> ExperimentStatus {
        .with {
            $0.experimentID = "0b9f3c1e-0000-4000-8000-000000000001"
            $0.spec = .with {
                $0.name = name
                $0.strategy = .margins
                $0.restriction = .none
                $0.stop = .with { $0.maxRounds = 2 }
            }
            $0.state = .finished
            $0.round = 2
            $0.phase = .done
            $0.annotatedCases = 8
            $0.poolCases = 2
            $0.firstEquivalentRound = 2
        }
    }

    static func analysis() throws -> LearningCurveAnalysis {
        let cases = (0..<6).map { "case-\($0)" }
        let full = Dictionary(uniqueKeysWithValues: zip(cases, [0.80, 0.70, 0.75, 0.85, 0.78, 0.72]))
        let rounds = (0...2).map { round in
            RoundEvaluation(
                round: round, annotatedCases: 4 + 2 * round,
                dice: full.mapValues { $0 - 0.2 / Double(round + 1) + ($0 > 0.75 ? 0.01 : -0.01) })
        }
        return try LearningCurveAnalysis(
            trainingPoolSize: 10, fullDataDice: full,
            strategies: [StrategyEvaluation(strategy: "margins", rounds: rounds)],
            baseline: "margins")
    }

    static func events() -> [DashboardEvent] {
        let id = status().experimentID
        let at = { (seconds: Double) in start.addingTimeInterval(seconds) }
        let phase = { (sequence: UInt64, seconds: Double, phase: RoundPhase) in
            DashboardEvent(
                sequence: sequence, experimentID: id, time: at(seconds),
                body: .phaseChanged(
                    .with {
                        $0.round = 1
                        $0.phase = phase
                    }))
        }
        return [
            DashboardEvent(sequence: 1, experimentID: id, time: at(0), body: .roundStarted(.with { $0.round = 1 })),
            phase(2, 0, .training),
            DashboardEvent(
                sequence: 3, experimentID: id, time: at(5),
                body: .training(
                    .with {
                        $0.jobID = "job"
                        $0.round = 1
                        $0.epoch = 1
                        $0.trainingLoss = 0.9876
                        $0.validationDice = 0.321
                    })),
            phase(4, 90, .evaluating),
            DashboardEvent(
                sequence: 5, experimentID: id, time: at(100),
                body: .roundFinished(
                    .with {
                        $0.round = 1
                        $0.dice = .with { $0.mean = 0.654 }
                        $0.tostP = 0.2
                    })),
        ]
    }

    @Test func phasesTakeTheTimeToTheNextStep() {
        let activity = ExperimentActivity(Self.events())
        #expect(activity.rounds.count == 1)
        #expect(activity.rounds[0].phases.map(\.duration) == [90, 10])
        #expect(activity.trainingRound?.training["job"]?.map(\.epoch) == [1])
        #expect(activity.latestFinished?.dice.mean == 0.654)
    }

    @Test func theExperimentsPageListsEachWithItsStandingAndEscapesNames() {
        let page = ExperimentsPage(rows: [
            .init(status: Self.status(), latest: .with { $0.dice = .with { $0.mean = 0.7 } })
        ])
        let html = page.fragment
        #expect(html.contains("href=\"/experiments/0b9f3c1e-0000-4000-8000-000000000001\""))
        #expect(html.contains("margins &lt;run&gt;") && !html.contains("<run>"))
        #expect(html.contains("margins") && html.contains("finished") && html.contains("80.0%"))
        #expect(html.contains("0.700") && html.contains("equivalent at round 2"))
        #expect(ExperimentsPage(rows: []).fragment.contains("No experiment"))
    }

    @Test func theExperimentPageHasTheCurveTheTestsTheTimelineTrainingAndPicks() throws {
        let page = ExperimentPage(
            status: Self.status(), analysis: try Self.analysis(), analysisNote: "",
            picks: [
                .with {
                    $0.selectedRound = 1
                    $0.selectionRank = 0
                    $0.caseName = "Synth_00007"
                    $0.uncertainty = -0.123456
                    $0.annotatedRound = 1
                },
                .with {
                    $0.selectedRound = 0
                    $0.caseName = "Synth_00001"
                    $0.annotatedRound = 0
                },
            ],
            pictured: [.init(experiment: Self.status().experimentID, round: 1, rank: 0)],
            activity: ExperimentActivity(Self.events()), now: Self.start.addingTimeInterval(200))
        let html = page.fragment
        #expect(html.components(separatedBy: "<circle").count - 1 == 3, "a point per round")
        #expect(html.contains("class=\"equivalence-margin\"") && html.contains("class=\"full-data\""))
        #expect(html.contains("<table id=\"tost\"") && html.components(separatedBy: "<tr>").count > 3)
        #expect(html.contains("training 1 min 30 s → evaluating 10.0 s"))
        #expect(html.contains("0.9876") && html.contains("0.321"))
        #expect(html.contains("Synth_00007") && html.contains("-0.123456") && html.contains("Synth_00001"))
        #expect(html.contains("equivalent at round 2"))
        let picture = "/experiments/\(Self.status().experimentID)/picks/1/0/overlay.png"
        #expect(
            html.components(separatedBy: "<img").count - 1 == 1 && html.contains("src=\"\(picture)\""),
            "the model's pick has its picture, the initial one none")
    }

    @Test func withoutStoredDiceThePageSaysWhyThereIsNoCurve() {
        let page = ExperimentPage(
            status: Self.status(), analysis: nil, analysisNote: "The full-data model has no test Dice yet",
            picks: [], pictured: [], activity: ExperimentActivity([]), now: Self.start)
        #expect(page.fragment.contains("The full-data model has no test Dice yet") && !page.fragment.contains("<svg"))
    }

    @Test func aDocumentNamesItsLiveSourcesAndLoadsOnlyItsOwnAssets() {
        let html = HTML.document(
            title: "X & Y", content: "<p>body</p>",
            live: HTML.Live(events: "/events?experiment=e&after=3", fragment: "/experiments/e?fragment=1"))
        #expect(html.contains("data-events=\"/events?experiment=e&amp;after=3\""))
        #expect(html.contains("<title>X &amp; Y · ActiveSeg</title>"))
        #expect(!html.contains("http://") && !html.contains("https://"))
    }

    @Test func comparisonsGroupExperimentsOfOneDatasetProfileAndFirstSeed() {
        let make = { (id: String, dataset: String, seeds: [UInt64]) in
            ExperimentStatus.with {
                $0.experimentID = id
                $0.spec = .with {
                    $0.datasetID = dataset
                    $0.seeds = seeds
                }
            }
        }
        let groups = ComparisonsPage.groups([
            make("a", "d1", [1]), make("b", "d1", [1]), make("c", "d1", [2]), make("d", "d2", [1]),
        ])
        #expect(groups.count == 1)
        #expect(groups.first?.1.map(\.experimentID).sorted() == ["a", "b"])
    }
}
