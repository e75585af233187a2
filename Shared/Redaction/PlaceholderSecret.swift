/// Whether `secret` is a placeholder rather than a chosen password: `.env.example` ships one for
/// every password (`change-me-nats-scorer`, `change-me-postgres`, …), and a deployment copied from
/// the example unchanged would run with credentials everyone who read the example knows. A service
/// refuses such a value at start, naming its key, instead of connecting with it.
///
/// A placeholder starts with `change-me` (in any case).
public func isPlaceholderSecret(_ secret: String) -> Bool {
    secret.lowercased().hasPrefix(placeholderSecretPrefix)
}

/// How every placeholder password of `.env.example` starts.
public let placeholderSecretPrefix = "change-me"
