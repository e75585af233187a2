import Foundation
import Hummingbird

/// A page's live updates as a `text/event-stream` response: the events of one experiment (or of
/// all) after the sequence the browser names, then each new one, with a keep-alive comment
/// whenever the stream has been idle for `keepAliveInterval`.
///
/// The browser names where to resume by `Last-Event-ID` (sent by `EventSource` when it
/// reconnects) or, on the first connection, by the page's `after` query parameter: the newest
/// event the rendered page already shows. The response ends when the browser goes (a write
/// fails) or the dashboard stops (the `EventLog` closes).
struct LiveStream: Sendable {
    let log: EventLog
    var keepAliveInterval: Duration = .seconds(15)

    /// The sequence to resume after: `Last-Event-ID` when present, else `after`, else 0.
    static func resumePoint(lastEventID: String?, after: String?) -> UInt64 {
        lastEventID.flatMap { UInt64($0.trimmingCharacters(in: .whitespaces)) } ?? after.flatMap { UInt64($0) } ?? 0
    }

    func response(experiment: String?, after sequence: UInt64) async -> Response {
        let events = await log.subscribe(experiment: experiment, after: sequence)
        let interval = keepAliveInterval
        let (frames, sink) = AsyncStream.makeStream(of: String.self)
        let pump = Task {
            for await event in events { sink.yield(event.serverSent.text) }
            sink.finish()
        }
        let beat = Task {
            while (try? await Task.sleep(for: interval)) != nil { sink.yield(ServerSentEvent.keepAlive) }
        }
        sink.onTermination = { _ in
            pump.cancel()
            beat.cancel()
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: ServerSentEvent.retry(milliseconds: 2000)))
                for await frame in frames { try await writer.write(ByteBuffer(string: frame)) }
                try await writer.finish(nil)
            })
    }
}
