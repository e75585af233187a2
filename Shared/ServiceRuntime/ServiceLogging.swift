import Logging

/// Logging set-up for a service executable. Only an executable's entry point calls this: libraries
/// take the `Logger` they are given and never bootstrap the logging system.
public enum ServiceLogging {
    /// Sends every log line to standard error (where container runtimes collect it) at the
    /// configured level, and returns the service's root logger, labelled and tagged with the service
    /// and instance. Call once per process, before any logger is made.
    public static func bootstrap(_ configuration: ServiceConfiguration) -> Logger {
        let level = configuration.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return logger(configuration)
    }

    /// The service's root logger under whatever logging system is in place (tests use this one).
    public static func logger(_ configuration: ServiceConfiguration) -> Logger {
        var logger = Logger(label: "activeseg.\(configuration.service)")
        logger.logLevel = configuration.logLevel
        logger[metadataKey: Logger.serviceKey] = "\(configuration.service)"
        logger[metadataKey: Logger.instanceKey] = "\(configuration.instance)"
        return logger
    }
}
