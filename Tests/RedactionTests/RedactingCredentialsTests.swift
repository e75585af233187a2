import Redaction
import Testing

@Suite struct RedactingCredentialsTests {
    @Test(
        "URL user information keeps the user and hides the password",
        arguments: [
            ("nats://activeseg:s3cret@127.0.0.1:14222", "nats://activeseg:***@127.0.0.1:14222"),
            (
                "postgresql://activeseg:s3cret@127.0.0.1:15432/activeseg",
                "postgresql://activeseg:***@127.0.0.1:15432/activeseg"
            ),
            (
                "nats://a:one@h1:4222,nats://h2:4222,tls://b:two@h3",
                "nats://a:***@h1:4222,nats://h2:4222,tls://b:***@h3"
            ),
            ("nats://s3cret@127.0.0.1:4222", "nats://***@127.0.0.1:4222"),
            ("postgresql://activeseg@127.0.0.1:5432/activeseg", "postgresql://activeseg@127.0.0.1:5432/activeseg"),
            ("nats://127.0.0.1:4222", "nats://127.0.0.1:4222"),
        ])
    func urls(_ url: String, _ redacted: String) {
        #expect(redactingCredentials(in: url) == redacted)
    }

    @Test(
        "password pairs of a DSN or a URI query hide their value",
        arguments: [
            (
                "host=127.0.0.1 user=activeseg password=s3cret dbname=activeseg",
                "host=127.0.0.1 user=activeseg password=*** dbname=activeseg"
            ),
            ("password = 's3 cr\\'et' port=5432", "password = *** port=5432"),
            (
                "postgresql://127.0.0.1/activeseg?user=activeseg&password=s3cret&sslmode=disable",
                "postgresql://127.0.0.1/activeseg?user=activeseg&password=***&sslmode=disable"
            ),
            ("PASSWORD=s3cret", "PASSWORD=***"),
        ])
    func connectionStrings(_ dsn: String, _ redacted: String) {
        #expect(redactingCredentials(in: dsn) == redacted)
    }

    @Test func aMessageQuotingAURIIsRedactedAndRedactingAgainChangesNothing() {
        let message =
            #"end of string reached when looking for matching "]" in IPv6 host address in URI: "postgresql://activeseg:s3cret@[::1/db""#
        let redacted = redactingCredentials(in: message)
        #expect(!redacted.contains("s3cret") && redacted.contains(#""postgresql://activeseg:***@[::1/db""#))
        #expect(redactingCredentials(in: redacted) == redacted)
    }
}
