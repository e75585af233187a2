import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One scrape of a Prometheus text endpoint (exposition format 0.0.4), parsed: each metric
/// family's declared type and each sample's value by its series (`name{label="value",…}` as
/// written).
public struct PrometheusScrape: Sendable {
    /// `# TYPE` lines: family name to `counter`, `gauge`, `histogram`, …
    public var types: [String: String] = [:]
    /// Sample lines: series to value.
    public var samples: [String: Double] = [:]

    /// Parses exposition text; a malformed sample line is an error naming it.
    public init(text: String) throws {
        for line in text.split(separator: "\n") where !line.isEmpty {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4 else { throw ScrapeError(line: String(line)) }
                types[String(parts[2])] = String(parts[3])
            } else if !line.hasPrefix("#") {
                guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...])
                else { throw ScrapeError(line: String(line)) }
                samples[String(line[..<space])] = value
            }
        }
    }

    /// GETs `url` and parses the body; fails on a status other than 200 or a content type other
    /// than Prometheus text.
    public static func fetch(_ url: URL) async throws -> PrometheusScrape {
        let (data, response) = try await URLSession.shared.data(from: url)
        let http = response as? HTTPURLResponse
        guard http?.statusCode == 200,
            http?.value(forHTTPHeaderField: "Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true
        else { throw ScrapeError(line: "GET \(url): status \(http?.statusCode ?? 0)") }
        return try PrometheusScrape(text: String(decoding: data, as: UTF8.self))
    }

    public struct ScrapeError: Error, CustomStringConvertible {
        public var line: String
        public var description: String { "not Prometheus text: \(line)" }
    }
}
