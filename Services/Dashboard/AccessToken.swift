import Foundation

/// The shared secret that guards the dashboard when `ACTIVESEG_DASHBOARD_TOKEN` is set.
///
/// A request is let in when its `Authorization` header is `Bearer <token>` (scripts, proxies) or
/// HTTP basic authentication whose password is the token (a browser's own login prompt, which
/// then sends it with every page, fragment and event-stream request); the user name is ignored.
/// The comparison takes the same time wherever the first difference is, so response times do not
/// leak the token. The token itself never reaches a page.
struct AccessToken: Sendable {
    private let secret: [UInt8]

    init(_ secret: String) { self.secret = Array(secret.utf8) }

    /// The realm a refused browser is asked to log in to.
    static let challenge = "Basic realm=\"activeseg dashboard\", charset=\"UTF-8\""

    /// Whether `authorization` (the header's value, nil when absent) carries the token.
    func permits(authorization: String?) -> Bool {
        guard let authorization else { return false }
        let parts = authorization.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return false }
        switch parts[0].lowercased() {
        case "bearer":
            return matches(Array(parts[1].trimmingCharacters(in: .whitespaces).utf8))
        case "basic":
            guard let decoded = Data(base64Encoded: parts[1].trimmingCharacters(in: .whitespaces)),
                let colon = decoded.firstIndex(of: UInt8(ascii: ":"))
            else { return false }
            return matches(Array(decoded[decoded.index(after: colon)...]))
        default:
            return false
        }
    }

    private func matches(_ candidate: [UInt8]) -> Bool {
        // The length is compared as a whole: a byte of it alone would let the token followed by
        // any 256 bytes in.
        var difference: UInt8 = candidate.count == secret.count ? 0 : 1
        for index in secret.indices {
            difference |= secret[index] ^ (index < candidate.count ? candidate[index] : 0)
        }
        return difference == 0
    }
}
