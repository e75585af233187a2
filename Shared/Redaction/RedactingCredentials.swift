/// `text` with the secrets of every URL and connection string in it replaced by `***`, so a
/// description, log line or error can carry a NATS URL or PostgreSQL DSN (or a message quoting one,
/// as libpq's parse errors do) without its password:
/// - URL user information: `scheme://user:password@host` becomes `scheme://user:***@host`. Without a
///   colon the user information of a NATS URL is a token (`nats://token@host` becomes
///   `nats://***@host`); a PostgreSQL URI's is a user name, which stays.
/// - `password=value` pairs of a libpq `key=value` string (the value bare or single-quoted) or of a
///   URI's query become `password=***`.
///
/// Applying it twice changes nothing more, so layers may each redact what they pass on.
public func redactingCredentials(in text: String) -> String {
    let userInfo = /([A-Za-z][A-Za-z0-9+.\-]*):\/\/([^\s\/@]*)@/
    let passwordPair = /(password\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s&'"]*)/.ignoresCase()
    return
        text
        .replacing(userInfo) { match in
            let (scheme, info) = (match.output.1, match.output.2)
            let kept: Substring
            if let colon = info.firstIndex(of: ":") {
                kept = info[..<colon] + ":***"
            } else {
                kept = ["postgres", "postgresql"].contains(scheme.lowercased()) ? info : "***"
            }
            return "\(scheme)://\(kept)@"
        }
        .replacing(passwordPair) { match in "\(match.output.1)***" }
}
