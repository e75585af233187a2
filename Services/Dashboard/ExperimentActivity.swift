import Foundation
import Proto

/// What an experiment's events say that no rpc answers: when each round's phases began and how
/// long they took, the per-epoch progress of the training under way, and the latest round's
/// verdict. Made from the experiment's events alone, oldest first.
struct ExperimentActivity: Sendable {
    /// One phase of a round: when it began and, once the next step began, how long it took.
    struct Phase: Sendable, Equatable {
        var phase: RoundPhase
        var started: Date
        var duration: TimeInterval?
    }

    /// One round of one repetition as its events tell it.
    struct Round: Sendable {
        var repetition: UInt32
        var round: UInt32
        var started: Date
        var phases: [Phase] = []
        var finished: RoundFinished?
        /// Per training job (a bootstrap ensemble trains several), its epochs in order.
        var training: [String: [TrainProgress]] = [:]
    }

    var rounds: [Round] = []
    var finished: ExperimentFinished?

    init(_ events: [DashboardEvent]) {
        for event in events {
            switch event.body {
            case .roundStarted(let started):
                rounds.append(Round(repetition: started.repetition, round: started.round, started: event.time))
            case .phaseChanged(let change):
                update(change.repetition, change.round, at: event.time) { round in
                    Self.close(&round.phases, at: event.time)
                    round.phases.append(Phase(phase: change.phase, started: event.time))
                }
            case .training(let progress):
                update(progress.repetition, progress.round, at: event.time) { round in
                    round.training[progress.jobID, default: []].append(progress)
                }
            case .roundFinished(let result):
                update(result.repetition, result.round, at: event.time) { round in
                    Self.close(&round.phases, at: event.time)
                    round.finished = result
                }
            case .experimentFinished(let end):
                finished = end
            }
        }
    }

    /// The round that trained last: the one whose progress a reader wants while it trains.
    var trainingRound: Round? { rounds.last { !$0.training.isEmpty } }

    /// The newest finished round: its mean Dice and verdict are the experiment's latest.
    var latestFinished: RoundFinished? { rounds.last { $0.finished != nil }?.finished }

    private mutating func update(_ repetition: UInt32, _ index: UInt32, at time: Date, _ change: (inout Round) -> Void)
    {
        if let position = rounds.lastIndex(where: { $0.repetition == repetition && $0.round == index }) {
            change(&rounds[position])
        } else {
            // A round whose start is older than the stream's retention, or whose start event was lost.
            var round = Round(repetition: repetition, round: index, started: time)
            change(&round)
            rounds.append(round)
        }
    }

    private static func close(_ phases: inout [Phase], at time: Date) {
        guard let last = phases.indices.last, phases[last].duration == nil else { return }
        phases[last].duration = time.timeIntervalSince(phases[last].started)
    }
}
