import Bus
import Statistics
import Volume

/// The process exit status of `activeseg`, chosen so that a script can tell apart a mistake in the
/// command line, bad input data, a service it could not reach and work that failed
/// (the codes of BSD's sysexits.h where one fits).
public struct ExitStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The command did what it was asked.
    public static let success = ExitStatus(rawValue: 0)
    /// The work itself failed (a write, a script, a computation) although the input was acceptable.
    public static let failure = ExitStatus(rawValue: 1)
    /// EX_USAGE: the command line is wrong (unknown option, missing argument, invalid value).
    public static let usage = ExitStatus(rawValue: 64)
    /// EX_DATAERR: an input file is missing, unreadable or holds values the command cannot use.
    public static let dataError = ExitStatus(rawValue: 65)
    /// EX_UNAVAILABLE: a service the command needs (NATS, an ActiveSeg service) does not
    /// answer.
    public static let unavailable = ExitStatus(rawValue: 69)

    public var description: String { "\(rawValue)" }

    /// The status an error ends the process with.
    public init(for error: any Error) {
        switch error {
        case let error as CommandLineError:
            self = error.code.exitStatus
        case let error as VolumeError:
            self = error.code == .writeFailed ? .failure : .dataError
        case is StatisticsError:
            self = .dataError
        case let error as BusError:
            self = Self.unreachableBus.contains(error.code) ? .unavailable : .failure
        default:
            self = .failure
        }
    }

    /// Bus failures that mean a server or service is not there to answer, rather than a request
    /// that went wrong.
    private static let unreachableBus: Set<BusError.Code> = [
        .notConnected, .connectionClosed, .authenticationFailed, .noResponders, .timeout,
    ]
}
