import Foundation
import Testing

@testable import DashboardService

/// The token check every request passes when `ACTIVESEG_DASHBOARD_TOKEN` is set.
@Suite struct AccessTokenTests {
    let token = AccessToken("s3cret-token")

    func basic(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    @Test func theBearerTokenIsLetIn() {
        #expect(token.permits(authorization: "Bearer s3cret-token"))
        #expect(token.permits(authorization: "bearer s3cret-token"))
    }

    @Test func theTokenAsBasicPasswordIsLetInWhateverTheUser() {
        #expect(token.permits(authorization: basic("researcher", "s3cret-token")))
        #expect(token.permits(authorization: basic("", "s3cret-token")))
    }

    @Test(arguments: [
        nil, "", "Bearer", "Bearer s3cret", "Bearer s3cret-token2", "Bearer S3CRET-TOKEN", "Token s3cret-token",
        "Basic !!!", "s3cret-token", "Bearer s3cret-token" + String(repeating: "x", count: 256),
    ])
    func anythingElseIsRefused(_ header: String?) {
        #expect(!token.permits(authorization: header))
    }

    @Test func theTokenAsBasicUserNameIsRefused() {
        #expect(!token.permits(authorization: basic("s3cret-token", "guess")))
    }

    @Test func settingsBindLoopbackByDefaultAndNameABadPort() throws {
        let defaults = try DashboardSettings(environment: [:])
        #expect(defaults.host == "127.0.0.1" && defaults.port == 8080 && defaults.token == nil)
        let set = try DashboardSettings(environment: [
            "ACTIVESEG_DASHBOARD_HOST": "0.0.0.0", "ACTIVESEG_DASHBOARD_PORT": "9000", "ACTIVESEG_DASHBOARD_TOKEN": "t",
        ])
        #expect(set.host == "0.0.0.0" && set.port == 9000 && set.token?.permits(authorization: "Bearer t") == true)
        for port in ["http", "-1", "65536"] {
            #expect {
                try DashboardSettings(environment: ["ACTIVESEG_DASHBOARD_PORT": port])
            } throws: { "\($0)".contains("ACTIVESEG_DASHBOARD_PORT") }
        }
    }
}
