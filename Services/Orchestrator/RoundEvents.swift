import Domain
import Foundation
import Logging
import Proto
import ServiceRuntime
import Store
import SwiftProtobuf

/// Publishes an experiment's round events to `activeseg.v1.events.<experiment>.<kind>`.
///
/// Events are published after the transaction that made them true, and each has an id derived
/// from what it reports (experiment, round, phase), so an event published again after a restart
/// is stored once. A failed publish is logged and not retried: Postgres, not the event stream,
/// is the record of an experiment.
struct RoundEvents: Sendable {
    let stream: EventStream
    let source: String
    let logger: Logger

    func roundStarted(_ experimentID: ExperimentID, round: Int, annotatedCases: Int) async {
        let id = experimentID.wireForm
        await publish(
            RoundStarted.with {
                $0.experimentID = id
                $0.round = UInt32(round)
                $0.annotatedCases = UInt32(annotatedCases)
                $0.occurredAt = Google_Protobuf_Timestamp(date: Date())
            }, scope: id, eventID: "\(id)/\(round)/started")
    }

    func phaseChanged(_ experimentID: ExperimentID, round: Int, phase: Domain.RoundPhase) async {
        let id = experimentID.wireForm
        await publish(
            PhaseChanged.with {
                $0.experimentID = id
                $0.round = UInt32(round)
                $0.phase = Proto.RoundPhase(phase)
                $0.occurredAt = Google_Protobuf_Timestamp(date: Date())
            }, scope: id, eventID: "\(id)/\(round)/\(phase.rawValue)")
    }

    func roundFinished(_ experimentID: ExperimentID, round: Int, analysis: RoundAnalysis, dataShare: Double) async {
        let id = experimentID.wireForm
        await publish(
            RoundFinished.with {
                $0.experimentID = id
                $0.round = UInt32(round)
                $0.annotatedCases = analysis.annotatedCases
                $0.dataShare = dataShare
                $0.dice = analysis.dice
                if analysis.hasTost { $0.tostP = analysis.tost.p }
                $0.equivalent = analysis.tost.equivalent
                $0.occurredAt = Google_Protobuf_Timestamp(date: Date())
            }, scope: id, eventID: "\(id)/\(round)/finished")
    }

    /// Reads the experiment's outcome back, so the event reports what was committed.
    func experimentFinished(_ experimentID: ExperimentID, state: ExperimentState, on database: PostgresClient) async {
        let id = experimentID.wireForm
        do {
            guard let experiment = try await ExperimentRepository.experiment(experimentID, on: database) else { return }
            let rounds = try await RoundRepository.rounds(of: experimentID, on: database)
            let trainingCount = try await Cohort.load(experiment.datasetID, on: database).trainingCases.count
            await publish(
                ExperimentFinished.with {
                    $0.experimentID = id
                    $0.state = state
                    $0.repetitions = [
                        RepetitionOutcome.with {
                            $0.seed = UInt64(bitPattern: experiment.design.seed)
                            if let first = experiment.firstEquivalentRound,
                                let outcome = rounds.first(where: { $0.index == first })?.outcome
                            {
                                $0.firstEquivalentRound = UInt32(first)
                                $0.share = Double(outcome.annotatedCount) / Double(max(1, trainingCount))
                            }
                        }
                    ]
                    $0.occurredAt = Google_Protobuf_Timestamp(date: Date())
                }, scope: id, eventID: "\(id)/finished")
        } catch {
            logger.warning("experiment outcome not read for its event", metadata: ["error": "\(error)"])
        }
    }

    private func publish<Event: BusEvent>(_ event: Event, scope: String, eventID: String) async {
        do {
            try await stream.publish(event, scope: scope, id: eventID, source: source)
        } catch {
            logger.warning("event not published", metadata: ["event.id": "\(eventID)", "error": "\(error)"])
        }
    }
}
