import Foundation
import Testing

extension Tag {
    /// Suites that need the local stack: the nats-server and PostgreSQL that `scripts/stack up`
    /// starts and names in `ACTIVESEG_NATS_URL` and `ACTIVESEG_POSTGRES_DSN`.
    @Tag public static var stack: Self
}

/// Whether the suites of the local stack are skipped: `ACTIVESEG_TESTS_WITHOUT_STACK=1 swift test`
/// runs every other suite on a machine without the stack. By default they run, and fail without
/// it, so a CI run whose stack did not come up cannot pass by skipping them.
public enum LocalStack {
    public static let isSkipped = ProcessInfo.processInfo.environment["ACTIVESEG_TESTS_WITHOUT_STACK"] == "1"
}

extension Trait where Self == ConditionTrait {
    /// Skips a suite of the local stack when ``LocalStack/isSkipped``.
    public static var needsLocalStack: Self {
        .disabled(if: LocalStack.isSkipped, "needs the local stack (ACTIVESEG_TESTS_WITHOUT_STACK=1)")
    }
}
