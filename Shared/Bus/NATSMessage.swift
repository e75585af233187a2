import CNATS
import Foundation

/// Conversions between Swift values and libnats `natsMsg` objects.
///
/// Ownership: a `natsMsg` created here is destroyed before `withNATSMessage` returns; a received
/// one is only read here, its owner destroys it.
enum NATSMessage {
    /// Builds a `natsMsg` (libnats copies subject, reply and payload into it), lends it to `body`,
    /// then destroys it.
    static func with<Value>(
        subject: String, replySubject: String? = nil, headers: BusHeaders, payload: Data,
        _ body: (OpaquePointer) throws(BusError) -> Value
    ) throws(BusError) -> Value {
        var created: OpaquePointer?
        let status = payload.withUnsafeBytes { bytes in
            natsMsg_Create(
                &created, subject, replySubject,
                bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count))
        }
        try BusError.check(status, subject: subject)
        guard let message = created else {
            throw BusError(
                code: .other(Int(NATS_ERR.rawValue)), subject: subject, detail: "natsMsg_Create returned no message")
        }
        defer { natsMsg_Destroy(message) }
        for field in headers {
            try BusError.check(natsMsgHeader_Add(message, field.name, field.value), subject: subject)
        }
        return try body(message)
    }

    /// Copies a received message. Not thread-safe for one `natsMsg` (libnats parses headers
    /// lazily), so it runs on the thread that received the message, before it is shared.
    static func copy(_ message: OpaquePointer) -> BusMessage {
        BusMessage(
            subject: String(cString: natsMsg_GetSubject(message)),
            replySubject: natsMsg_GetReply(message).map { String(cString: $0) },
            headers: headers(of: message),
            payload: payload(of: message)
        )
    }

    static func payload(of message: OpaquePointer) -> Data {
        let count = Int(natsMsg_GetDataLength(message))
        guard count > 0, let data = natsMsg_GetData(message) else { return Data() }
        return Data(bytes: data, count: count)
    }

    static func headers(of message: OpaquePointer) -> BusHeaders {
        var result = BusHeaders()
        var keys: UnsafeMutablePointer<UnsafePointer<CChar>?>?
        var keyCount: Int32 = 0
        guard natsMsgHeader_Keys(message, &keys, &keyCount) == NATS_OK, let keys else { return result }
        defer { free(keys) }
        for keyIndex in 0..<Int(keyCount) {
            guard let key = keys[keyIndex] else { continue }
            var values: UnsafeMutablePointer<UnsafePointer<CChar>?>?
            var valueCount: Int32 = 0
            guard natsMsgHeader_Values(message, key, &values, &valueCount) == NATS_OK, let values else { continue }
            defer { free(values) }
            let name = String(cString: key)
            for valueIndex in 0..<Int(valueCount) {
                if let value = values[valueIndex] { result.add(String(cString: value), for: name) }
            }
        }
        return result
    }
}
