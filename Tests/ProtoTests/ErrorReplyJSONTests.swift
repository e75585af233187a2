import Foundation
import Proto
import SwiftProtobuf
import Testing

/// Error replies are also read by people and by tools outside Swift, through protobuf's canonical
/// JSON mapping: enum values by name, field names in lowerCamelCase, maps as objects.
@Suite struct ErrorReplyJSONTests {
    static let reply = ErrorReply.with {
        $0.code = .notFound
        $0.message = "case is not in the experiment's pool"
        $0.details = ["case_id": "e3b0c442-98fc-4c14-9afb-f4c8996fb924"]
    }

    static let json = #"""
        {"code":"ERROR_CODE_NOT_FOUND","message":"case is not in the experiment's pool",\#
        "details":{"case_id":"e3b0c442-98fc-4c14-9afb-f4c8996fb924"}}
        """#

    @Test func encodesToCanonicalJSON() throws {
        #expect(try Self.reply.jsonString() == Self.json)
    }

    @Test func decodesCanonicalJSON() throws {
        #expect(try ErrorReply(jsonString: Self.json) == Self.reply)
    }

    @Test func acceptsTheCodeAsItsGRPCNumber() throws {
        let reply = try ErrorReply(jsonString: #"{"code": 14, "message": "database unreachable"}"#)
        #expect(reply.code == .unavailable)
        #expect(reply.code.rawValue == 14)
        #expect(reply.details.isEmpty)
    }

    @Test func codesKeepGRPCNumbering() {
        let numbers: [(ErrorCode, Int)] = [
            (.cancelled, 1), (.unknown, 2), (.invalidArgument, 3), (.deadlineExceeded, 4), (.notFound, 5),
            (.alreadyExists, 6), (.permissionDenied, 7), (.resourceExhausted, 8), (.failedPrecondition, 9),
            (.aborted, 10), (.outOfRange, 11), (.unimplemented, 12), (.internal, 13), (.unavailable, 14),
            (.dataLoss, 15), (.unauthenticated, 16),
        ]
        for (code, number) in numbers {
            #expect(code.rawValue == number, "\(code)")
        }
    }
}
