import Bus
import Foundation
import Logging
import Neural
import Proto
import ServiceRuntime
import SwiftProtobuf

/// Publishes a `TrainProgress` event per epoch on `activeseg.v1.events.<experiment>.round.training`
/// (under the subject prefix), as a CloudEvents message on core NATS: progress is for live
/// dashboards, and a lost one is replaced by the next epoch's. Each epoch also counts in the
/// `activeseg_training_epochs_total` and `activeseg_training_steps_total` metrics.
struct ProgressPublisher: Sendable {
    let connection: BusConnection
    let configuration: ServiceConfiguration

    func publish(_ reports: AsyncStream<EpochReport>, job: TrainJob, scope: String, logger: Logger) async {
        let subject: String
        do {
            subject = configuration.prefixed(try EventSubject.subject(for: TrainProgress.self, scope: scope))
        } catch {
            logger.warning("no progress events: the scope is not a subject token", metadata: ["error": "\(error)"])
            for await _ in reports {}
            return
        }
        var best = 0.0
        var bestEpoch = 0
        for await report in reports {
            ServiceMetrics.recordEpoch(steps: report.steps)
            let dice = report.validationDice ?? 0
            if report.epoch == 0 || dice > best {
                best = dice
                bestEpoch = report.epoch
            }
            let event = TrainProgress.with {
                $0.jobID = job.jobID
                $0.experimentID = job.experimentID
                $0.repetition = job.repetition
                $0.round = job.round
                if let member = job.ensembleMember { $0.ensembleMember = member }
                $0.epoch = UInt32(report.epoch + 1)
                $0.trainingLoss = report.loss
                $0.validationDice = dice
                $0.bestValidationDice = best
                $0.epochsWithoutImprovement = UInt32(report.epoch - bestEpoch)
                $0.reportedAt = Google_Protobuf_Timestamp(date: Date())
            }
            let envelope = EventEnvelope(
                type: "activeseg.v1.\(TrainProgress.kind.rawValue)",
                source: "activeseg-trainer/\(configuration.instance)", body: event)
            do {
                try await connection.publish(envelope, to: subject)
            } catch {
                logger.warning("progress event not published", metadata: ["error": "\(error)"])
            }
        }
    }
}
