import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceRuntime

/// The dashboard's URLs, all `GET`, none changing anything:
/// - `/`: the experiments; `/experiments/<id>`: one experiment; `/comparisons`: the comparisons.
///   Each answers the whole page, or with `?fragment=1` the content of its `<main>` alone, which
///   the page's script fetches after an event.
/// - `/experiments/<id>/picks/<round>/<rank>/overlay.png`: the overlay picture of a pick
///   (`PickPictures`); 404 for a pick without one, 503 when the scorer cannot draw it now.
/// - `/events?experiment=<id>&after=<sequence>`: the live event stream of one experiment (every
///   experiment's without `experiment`).
/// - `/assets/dashboard.css`, `/assets/dashboard.js`: the stylesheet and the script.
///
/// With an `AccessToken`, every URL needs it. An orchestrator that does not answer is a 503 page
/// saying so, an unknown experiment a 404.
enum DashboardRoutes {
    static func router(
        queries: DashboardQueries, pictures: PickPictures, live: LiveStream, token: AccessToken?
    ) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        if let token { router.add(middleware: AccessTokenMiddleware(token: token)) }
        router.get("/") { request, _ in
            try await page(
                request, title: "Experiments", events: "/events", sequence: await queries.log.lastSequence(of: nil)
            ) {
                try await queries.experiments().fragment
            }
        }
        router.get("/experiments/:id") { request, context in
            let id = try context.parameters.require("id")
            return try await page(
                request, title: "Experiment \(id)", events: "/events?experiment=\(id)",
                sequence: await queries.log.lastSequence(of: id)
            ) { try await queries.experiment(id).fragment }
        }
        router.get("/experiments/:id/picks/:round/:rank/overlay.png") { _, context in
            let key = PickPictures.Key(
                experiment: try context.parameters.require("id"),
                round: try context.parameters.require("round", as: Int.self),
                rank: try context.parameters.require("rank", as: Int.self))
            let png: Data
            do throws(PickPictures.Failure) {
                png = try await pictures.png(key)
            } catch {
                switch error {
                case .noPicture:
                    return text(
                        .notFound, "This pick has no picture: it was not picked by a model, or its label is awaited.")
                case .unavailable(let reason):
                    return text(.serviceUnavailable, "The picture cannot be drawn now: \(reason)")
                }
            }
            // A pick's picture never changes: the browser keeps it across the page's live refreshes.
            return Response(
                status: .ok, headers: [.contentType: "image/png", .cacheControl: "private, max-age=86400, immutable"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: png)))
        }
        router.get("/comparisons") { request, _ in
            try await page(
                request, title: "Comparisons", events: "/events", sequence: await queries.log.lastSequence(of: nil)
            ) { try await queries.comparisons().fragment }
        }
        router.get("/events") { request, _ in
            let query = request.uri.queryParameters
            let after = LiveStream.resumePoint(
                lastEventID: request.headers[HTTPField.Name("Last-Event-ID")!], after: query["after"].map(String.init))
            return await live.response(experiment: query["experiment"].map(String.init), after: after)
        }
        router.get("/assets/dashboard.css") { _, _ in
            asset(DashboardAssets.stylesheet, type: "text/css; charset=utf-8")
        }
        router.get("/assets/dashboard.js") { _, _ in
            asset(DashboardAssets.script, type: "text/javascript; charset=utf-8")
        }
        return router
    }

    /// A page, or its fragment when asked with `?fragment=1`; `sequence` is the newest event the
    /// content already reflects, where its live stream starts.
    private static func page(
        _ request: Request, title: String, events: String, sequence: UInt64, content: () async throws -> String
    ) async throws -> Response {
        let fragmentOnly = request.uri.queryParameters["fragment"] == "1"
        let body: String
        let status: HTTPResponse.Status
        do {
            let inner = try await content()
            status = .ok
            let path = request.uri.path
            let separator = events.contains("?") ? "&" : "?"
            body =
                fragmentOnly
                ? inner
                : HTML.document(
                    title: title, content: inner,
                    live: HTML.Live(events: events + separator + "after=\(sequence)", fragment: path + "?fragment=1"))
        } catch let error as RPCError {
            status =
                error.code == .notFound ? .notFound : error.code == .invalidArgument ? .badRequest : .serviceUnavailable
            let reason =
                status == .serviceUnavailable ? "The orchestrator did not answer: \(error.message)" : error.message
            let message = "<h1>\(HTML.escape(title))</h1>\n<p class=\"note\">\(HTML.escape(reason))</p>\n"
            body = fragmentOnly ? message : HTML.document(title: title, content: message, live: nil)
        }
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    private static func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: message + "\n")))
    }

    private static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
