import Hummingbird

/// Refuses every request that does not carry the `AccessToken`, with 401 and a basic-auth
/// challenge, so a browser asks its user for the token once and a script learns what to send.
struct AccessTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: AccessToken

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard token.permits(authorization: request.headers[.authorization]) else {
            return Response(
                status: .unauthorized,
                headers: [.wwwAuthenticate: AccessToken.challenge, .contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "the dashboard needs its access token\n")))
        }
        return try await next(request, context)
    }
}
