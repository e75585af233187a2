import Artifacts
import Bus
import Foundation
import Logging
import Proto
import ServiceRuntime
import Store
import SwiftProtobuf

/// What a job worker is built from: the service configuration and the connections it opened.
public struct WorkerEnvironment: Sendable {
    public let configuration: ServiceConfiguration
    public let connection: BusConnection
    public let jetStream: JetStream
    public let store: PostgresClient
    public let artifacts: ArtifactStore
    public let logger: Logger
    /// How long a job may go unacknowledged before it is offered to another worker, and so on.
    public let delivery: JobDelivery

    public init(
        configuration: ServiceConfiguration, connection: BusConnection, jetStream: JetStream,
        store: PostgresClient, artifacts: ArtifactStore, logger: Logger, delivery: JobDelivery = JobDelivery()
    ) {
        self.configuration = configuration
        self.connection = connection
        self.jetStream = jetStream
        self.store = store
        self.artifacts = artifacts
        self.logger = logger
        self.delivery = delivery
    }

    public var loader: CaseLoader { CaseLoader(store: store, artifacts: artifacts) }
    public var jobs: JobFailureRecorder { JobFailureRecorder(store: store, worker: configuration.instance) }

    /// The queue of `method`'s jobs in this deployment.
    public func queue<Job, Result>(_ method: RPCMethod<Job, Result>) -> JobQueue<Job, Result> {
        JobQueue(method, jetStream: jetStream, subjectPrefix: configuration.subjectPrefix, delivery: delivery)
    }
}
