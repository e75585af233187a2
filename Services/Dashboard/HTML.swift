import Foundation

/// The shared parts of every page: escaping, the document around a page's content, and how the
/// numbers read.
///
/// A page is complete as the server renders it, so it reads with JavaScript off; with it on, the
/// script (`DashboardAssets.script`) follows the page's event stream and replaces the content of
/// `<main>` with the page's fragment whenever an event arrives.
enum HTML {
    /// Where a page's live updates come from.
    struct Live: Sendable, Equatable {
        /// The event-stream URL, starting after the newest event the rendered page already shows.
        var events: String
        /// The URL answering the page's `<main>` content alone.
        var fragment: String
    }

    /// Text made safe for element content and quoted attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A whole page: the navigation, `content` inside `<main>` and, when `live` is given, what the
    /// script needs to keep `<main>` current.
    static func document(title: String, content: String, live: Live?) -> String {
        let liveAttributes =
            live.map { " data-events=\"\(escape($0.events))\" data-fragment=\"\(escape($0.fragment))\"" } ?? ""
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) · ActiveSeg</title>
            <link rel="stylesheet" href="/assets/dashboard.css">
            <script src="/assets/dashboard.js" defer></script>
            </head>
            <body>
            <header><nav><a href="/">Experiments</a> <a href="/comparisons">Comparisons</a></nav></header>
            <main id="live"\(liveAttributes)>
            \(content)
            </main>
            <noscript><p class="note">Reload the page to see new events.</p></noscript>
            </body>
            </html>

            """
    }

    /// A table: a header row and one row per entry, every cell already HTML.
    static func table(id: String, headers: [String], rows: [[String]]) -> String {
        var out = "<table id=\"\(id)\"><thead><tr>"
        out += headers.map { "<th>\(escape($0))</th>" }.joined()
        out += "</tr></thead><tbody>\n"
        for row in rows { out += "<tr>" + row.map { "<td>\($0)</td>" }.joined() + "</tr>\n" }
        return out + "</tbody></table>\n"
    }

    static func fixed(_ value: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", value) }

    static func percent(_ value: Double) -> String { String(format: "%.1f%%", 100 * value) }

    static func signed(_ value: Double) -> String { (value < 0 ? "−" : "+") + String(format: "%.3f", abs(value)) }

    /// A p-value as the tables print it: four decimals, or `< 0.0001`.
    static func pValue(_ p: Double) -> String { p < 0.0001 ? "&lt; 0.0001" : String(format: "%.4f", p) }

    /// A duration as `1 h 02 min`, `3 min 05 s` or `12.3 s`.
    static func duration(_ seconds: TimeInterval) -> String {
        if seconds >= 3600 { return String(format: "%d h %02d min", Int(seconds) / 3600, Int(seconds) % 3600 / 60) }
        if seconds >= 60 { return String(format: "%d min %02d s", Int(seconds) / 60, Int(seconds) % 60) }
        return String(format: "%.1f s", seconds)
    }

    private static let timeFormat = Date.ISO8601FormatStyle(timeZone: .gmt)

    /// A time in UTC, ISO 8601 to the second.
    static func time(_ date: Date) -> String { date.formatted(timeFormat) }
}
