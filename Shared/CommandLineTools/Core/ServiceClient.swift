import Bus
import Logging
import Proto
import ServiceRuntime
import SwiftProtobuf

/// The connection a command uses to call ActiveSeg services, configured from the same environment
/// keys as the services (`ACTIVESEG_NATS_*`, `ACTIVESEG_SUBJECT_PREFIX`), so a shell that runs the
/// services also reaches them. Turns transport failures into errors that say what to start.
struct ServiceClient: Sendable {
    let rpc: RPCClient

    /// Opens the connection for the length of `body`.
    static func with<Result: Sendable>(
        _ context: CommandContext,
        _ body: (ServiceClient) async throws -> Result
    ) async throws -> Result {
        let configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration(service: "cli", environment: context.environment)
        } catch {
            throw CommandLineError(.usage, subject: "environment", detail: String(describing: error))
        }
        // Connection notices (a disconnect on close) are the services' concern, not the user's.
        var logger = Logger(label: "activeseg.cli")
        logger.logLevel = .error
        let connection: BusConnection
        do {
            connection = try await BusConnection.connect(configuration.bus, logger: logger)
        } catch {
            throw CommandLineError(
                .unavailable, subject: "NATS \(configuration.bus.serverList)",
                detail: String(describing: error), hint: Self.startHint)
        }
        let client = ServiceClient(rpc: RPCClient(connection: connection, subjectPrefix: configuration.subjectPrefix))
        do {
            let result = try await body(client)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }

    /// Calls `method`, naming the service to start when nobody answers.
    func call<Request, Response>(
        _ method: RPCMethod<Request, Response>, _ request: Request,
        timeout: Duration = .seconds(30)
    ) async throws -> Response {
        do {
            return try await rpc.call(method, request, timeout: timeout)
        } catch {
            switch error.code {
            case .unavailable, .deadlineExceeded:
                throw CommandLineError(
                    .unavailable, subject: "the \(method.service.lowercased()) service",
                    detail: error.message, hint: Self.startHint)
            case .invalidArgument, .notFound, .alreadyExists, .failedPrecondition:
                throw CommandLineError(.usage, subject: method.subject, detail: error.description)
            default:
                throw CommandLineError(.failed, subject: method.subject, detail: error.description)
            }
        }
    }

    static let startHint = "run `activeseg stack up` and start the services (scripts/demo does both)"
}
