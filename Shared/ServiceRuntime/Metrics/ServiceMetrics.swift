import CoreMetrics
import Foundation
import Prometheus

/// The metrics every ActiveSeg service reports, each name and label defined here once, and the
/// process's Prometheus registry they are kept in.
///
/// Recording goes through swift-metrics, so libraries never see Prometheus; `bootstrap()` (called
/// by `ServiceApplication` before any part starts) makes swift-metrics record into ``registry``,
/// which `MetricsServer` serves as Prometheus text. Durations are histograms in seconds.
public enum ServiceMetrics {
    /// Where every metric of this process is kept.
    public static let registry = PrometheusCollectorRegistry()

    /// Points swift-metrics at ``registry``; later calls do nothing, so tests and services may all
    /// call it.
    public static func bootstrap() { _ = bootstrapped }

    private static let bootstrapped: Void = {
        var factory = PrometheusMetricsFactory(registry: registry)
        // From a millisecond (a Ping) to an hour (a training job).
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500),
            .seconds(1), .seconds(5), .seconds(15), .seconds(60), .seconds(300), .seconds(900), .seconds(3600),
        ]
        MetricsSystem.bootstrap(factory)
    }()

    /// The registry's metrics in Prometheus' text exposition format (version 0.0.4).
    public static func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }

    // MARK: rpc

    /// Requests answered, by `method` (`<service>.<method>`) and `code` (`ok` or the error code).
    public static let rpcRequests = "activeseg_rpc_requests_total"
    /// How long answering took, by `method`.
    public static let rpcDuration = "activeseg_rpc_duration_seconds"

    /// Records one answered request.
    static func recordRequest(method: String, code: String, duration: Duration) {
        CoreMetrics.Counter(label: rpcRequests, dimensions: [("method", method), ("code", code)]).increment()
        CoreMetrics.Timer(label: rpcDuration, dimensions: [("method", method)]).record(duration: duration)
    }

    // MARK: jobs

    /// Deliveries taken from the queue, by `kind` (`train`, `score`).
    public static let jobsTaken = "activeseg_jobs_taken_total"
    /// Deliveries of a job delivered before (its worker died or stalled, or an attempt failed).
    public static let jobsRedelivered = "activeseg_jobs_redelivered_total"
    /// Jobs done and acknowledged.
    public static let jobsFinished = "activeseg_jobs_finished_total"
    /// Jobs failed for good (a job wrong in itself, or its last attempt).
    public static let jobsFailed = "activeseg_jobs_failed_total"
    /// How long a job that finished took, from delivery to acknowledgement.
    public static let jobDuration = "activeseg_job_duration_seconds"
    /// Jobs in the queue that no worker has taken yet, as the consumer reports them.
    public static let jobsPending = "activeseg_jobs_pending"
    /// Jobs taken and not yet acknowledged.
    public static let jobsInProgress = "activeseg_jobs_in_progress"

    static func counter(_ name: String, kind: String) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: name, dimensions: [("kind", kind)])
    }

    static func gauge(_ name: String, kind: String) -> CoreMetrics.Gauge {
        CoreMetrics.Gauge(label: name, dimensions: [("kind", kind)])
    }

    static func recordJobDuration(kind: String, _ duration: Duration) {
        CoreMetrics.Timer(label: jobDuration, dimensions: [("kind", kind)]).record(duration: duration)
    }

    // MARK: training

    /// Training epochs completed, over all models.
    public static let trainingEpochs = "activeseg_training_epochs_total"
    /// Optimiser steps (patches batches) completed; its rate is the training throughput.
    public static let trainingSteps = "activeseg_training_steps_total"

    /// Counts one finished training epoch of `steps` optimiser steps.
    public static func recordEpoch(steps: Int) {
        CoreMetrics.Counter(label: trainingEpochs).increment()
        CoreMetrics.Counter(label: trainingSteps).increment(by: steps)
    }

    // MARK: experiments

    /// Experiments by `status` (`created`, `running`, `finished`, `failed`, `cancelled`).
    public static let experiments = "activeseg_experiments"

    /// Sets the number of experiments in each status; a status not in `counts` is set to 0.
    public static func recordExperiments(_ counts: [String: Int], statuses: [String]) {
        for status in statuses {
            CoreMetrics.Gauge(label: experiments, dimensions: [("status", status)]).record(counts[status] ?? 0)
        }
    }
}
