/// One message of a `text/event-stream` response (the WHATWG HTML "server-sent events" format).
///
/// `id` is the JetStream stream sequence of the event it announces: a browser that reconnects
/// sends the last one it saw as `Last-Event-ID`, and the stream resumes after it.
struct ServerSentEvent: Sendable, Equatable {
    var id: UInt64?
    /// The event's type; nil for the default `message` type, which `EventSource.onmessage` gets.
    var event: String?
    var data: String

    /// The wire form: one `data:` line per line of `data` (a line break inside would otherwise end
    /// the field), ended by a blank line.
    var text: String {
        var out = ""
        if let id { out += "id: \(id)\n" }
        if let event { out += "event: \(event)\n" }
        let lines = data.split(
            omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        for line in lines { out += "data: \(line)\n" }
        return out + "\n"
    }

    /// A comment line that keeps an idle connection open through proxies and lets the server notice
    /// a browser that has gone; `EventSource` ignores it.
    static let keepAlive = ": keep-alive\n\n"

    /// How long a browser waits before reconnecting after the stream ends, in milliseconds.
    static func retry(milliseconds: Int) -> String { "retry: \(milliseconds)\n\n" }
}
