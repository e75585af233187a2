import CommandLineTools
import Foundation
import Proto
import Reporting
import Statistics

/// `/experiments/<id>`: one experiment as a researcher follows it: its learning curve against the
/// full-data model with the equivalence margin, each round's equivalence test, the round timeline
/// with the time each phase took, the progress of the model training now, and the cases each round
/// picked with their uncertainty.
struct ExperimentPage: Sendable {
    var status: ExperimentStatus
    /// The curve and the tests, from the stored per-case Dice; nil while there is none.
    var analysis: LearningCurveAnalysis?
    /// Why there is no analysis, for the reader.
    var analysisNote: String
    var picks: [CasePick]
    /// The picks that have an overlay picture.
    var pictured: Set<PickPictures.Key>
    var activity: ExperimentActivity
    /// The time a phase still running is measured to.
    var now: Date

    /// The content of `<main>`.
    var fragment: String {
        let name = status.spec.name.isEmpty ? status.experimentID : status.spec.name
        return "<h1>\(HTML.escape(name))</h1>\n" + summary + curve + tests + timeline + training + pickList
    }

    private var summary: String {
        let strategy = ExperimentText.strategy(status.spec.strategy, status.spec.restriction)
        var out = "<dl id=\"summary\">"
        out += "<dt>Experiment</dt><dd>\(HTML.escape(status.experimentID))</dd>"
        out += "<dt>Strategy</dt><dd>\(HTML.escape(strategy))</dd>"
        out += "<dt>Status</dt><dd id=\"state\">\(HTML.escape(ExperimentText.state(status.state)))"
        if !status.failureReason.isEmpty { out += ": \(HTML.escape(status.failureReason))" }
        out += "</dd><dt>Round</dt><dd>\(status.round) of at most \(status.spec.stop.maxRounds), "
        out += "\(HTML.escape(ExperimentText.phase(status.phase)))</dd>"
        out += "<dt>Annotated</dt><dd>\(status.annotatedCases) cases "
        out += "(\(HTML.percent(ExperimentText.labelShare(status))) of the training pool)</dd>"
        out += "<dt>Equivalence</dt><dd id=\"equivalence\">"
        out += ExperimentsPage.equivalence(status, latest: activity.latestFinished) + "</dd></dl>\n"
        return out
    }

    private var curve: String {
        guard let analysis else {
            return
                "<section id=\"curve\"><h2>Learning curve</h2><p class=\"note\">\(HTML.escape(analysisNote))</p></section>\n"
        }
        return "<section id=\"curve\"><h2>Learning curve</h2>\n<figure>\n"
            + LearningCurvePlot.svg(analysis, marginBand: true)
            + "<figcaption>Mean test Dice against the share of the training pool annotated; dashed: the "
            + "full-data model (\(HTML.fixed(analysis.fullData.mean))), shaded: the equivalence margin "
            + "[\(HTML.signed(analysis.bounds.low)), \(HTML.signed(analysis.bounds.high))].</figcaption>\n"
            + "</figure></section>\n"
    }

    private var tests: String {
        guard let analysis, let rounds = analysis.strategies.first?.rounds, !rounds.isEmpty else { return "" }
        let interval = HTML.percent(1 - 2 * analysis.bounds.alpha)
        let rows = rounds.map { round -> [String] in
            [
                "\(round.round)", "\(round.annotatedCases) (\(HTML.percent(round.trainingShare)))",
                HTML.fixed(round.dice.mean), HTML.signed(round.tost.meanDifference),
                "[\(HTML.signed(round.differenceInterval.lower)), \(HTML.signed(round.differenceInterval.upper))]",
                "[\(HTML.signed(analysis.bounds.low)), \(HTML.signed(analysis.bounds.high))]",
                HTML.pValue(round.tost.pValue),
                round.isEquivalent
                    ? "<span class=\"equivalent\">equivalent</span>"
                    : "<span class=\"not-equivalent\">not equivalent</span>",
            ]
        }
        return "<section><h2>Equivalence with the full-data model (TOST)</h2>\n"
            + HTML.table(
                id: "tost",
                headers: [
                    "Round", "Annotated", "Mean Dice", "Difference", "\(interval) interval", "Margin", "p", "Verdict",
                ], rows: rows)
            + "</section>\n"
    }

    private var timeline: String {
        guard !activity.rounds.isEmpty else {
            return "<section><h2>Rounds</h2><p class=\"note\">No round event yet.</p></section>\n"
        }
        let rows = activity.rounds.map { round -> [String] in
            let phases = round.phases.map { phase in
                let took =
                    phase.duration.map(HTML.duration) ?? "running for "
                    + HTML.duration(now.timeIntervalSince(phase.started))
                return "\(HTML.escape(ExperimentText.phase(phase.phase))) \(took)"
            }
            return [
                "\(round.round)", "\(round.repetition + 1)", HTML.time(round.started),
                phases.isEmpty ? "—" : phases.joined(separator: " → "),
                round.finished.map { HTML.fixed($0.dice.mean) } ?? "—",
            ]
        }
        return "<section><h2>Rounds</h2>\n"
            + HTML.table(
                id: "timeline", headers: ["Round", "Repetition", "Started (UTC)", "Phases", "Mean Dice"], rows: rows)
            + "</section>\n"
    }

    private var training: String {
        guard let round = activity.trainingRound else { return "" }
        let rows = round.training.sorted { $0.key < $1.key }.flatMap { _, epochs in
            epochs.map { epoch -> [String] in
                [
                    epoch.hasEnsembleMember ? "\(epoch.ensembleMember)" : "—", "\(epoch.epoch)",
                    HTML.fixed(epoch.trainingLoss, 4), HTML.fixed(epoch.validationDice),
                ]
            }
        }
        return "<section><h2>Training of round \(round.round)</h2>\n"
            + HTML.table(
                id: "training", headers: ["Member", "Epoch", "Training loss", "Validation Dice"], rows: rows)
            + "</section>\n"
    }

    /// The pick's overlay picture, loaded when scrolled into view and linked at full size; a dash
    /// where it has none (the initial set, a label awaited).
    private func picture(of pick: CasePick) -> String {
        let key = PickPictures.Key(
            experiment: status.experimentID, round: Int(pick.selectedRound), rank: Int(pick.selectionRank))
        guard pictured.contains(key) else { return "—" }
        let path = HTML.escape(key.path)
        let alt = HTML.escape("\(pick.caseName), round \(pick.selectedRound): truth and prediction")
        return "<a href=\"\(path)\"><img class=\"overlay\" src=\"\(path)\" alt=\"\(alt)\" loading=\"lazy\"></a>"
    }

    private var pickList: String {
        guard !picks.isEmpty else {
            return "<section><h2>Picked cases</h2><p class=\"note\">No case is picked yet.</p></section>\n"
        }
        let rows = picks.map { pick -> [String] in
            [
                "\(pick.selectedRound)", "\(pick.selectionRank)", HTML.escape(pick.caseName),
                pick.hasUncertainty ? HTML.fixed(pick.uncertainty, 6) : "—",
                pick.hasAnnotatedRound ? "from round \(pick.annotatedRound)" : "label awaited", picture(of: pick),
            ]
        }
        return "<section><h2>Picked cases</h2>\n"
            + HTML.table(
                id: "picks", headers: ["Round", "Rank", "Case", "Uncertainty", "Annotated", "Truth and prediction"],
                rows: rows)
            + "<p class=\"note\">Each picture is the case's largest-tumour axial slice with the truth it was "
            + "annotated with and the prediction of the model that picked it (the round before's), drawn by the "
            + "scorer the first time it is shown.</p>\n</section>\n"
    }
}
