import Foundation

/// `Date` travels as `timestamptz` with microsecond precision (the server's), always in UTC: every
/// connection sets `TimeZone` to UTC and `DateStyle` to ISO, so the text is
/// `YYYY-MM-DD HH:MM:SS[.ffffff]+00`.
extension Date: PostgresCodable {
    public static var postgresType: PostgresDataType { .timestamptz }

    public var postgresText: String {
        let micros = Int64((timeIntervalSince1970 * 1_000_000).rounded())
        let (days, microOfDay) = micros.floorDivided(by: 86_400_000_000)
        let (year, month, day) = CivilCalendar.date(fromDaysSinceEpoch: days)
        let second = microOfDay / 1_000_000
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2)) "
            + "\(pad(second / 3600, 2)):\(pad(second / 60 % 60, 2)):\(pad(second % 60, 2))."
            + "\(pad(microOfDay % 1_000_000, 6))+00"
    }

    public init?(postgresText: String, type: PostgresDataType) {
        guard type == .timestamptz || type == .timestamp,
            let micros = CivilCalendar.microsecondsSinceEpoch(isoTimestamp: postgresText)
        else { return nil }
        self.init(timeIntervalSince1970: Double(micros) / 1_000_000)
    }
}

/// Proleptic Gregorian calendar arithmetic (Howard Hinnant's days-from-civil algorithms), so dates
/// are formatted and parsed without locale- or time-zone-dependent formatters.
enum CivilCalendar {
    static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func date(fromDaysSinceEpoch days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Parses `YYYY-MM-DD HH:MM:SS[.f…][±HH[:MM[:SS]]]` (the server's ISO output); no offset means UTC.
    static func microsecondsSinceEpoch(isoTimestamp text: String) -> Int64? {
        var scanner = DigitScanner(text)
        guard let year = scanner.number(digits: 4), scanner.skip("-"),
            let month = scanner.number(digits: 2), scanner.skip("-"),
            let day = scanner.number(digits: 2), scanner.skip(" "),
            let hour = scanner.number(digits: 2), scanner.skip(":"),
            let minute = scanner.number(digits: 2), scanner.skip(":"),
            let second = scanner.number(digits: 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var micros: Int64 = 0
        if scanner.skip(".") {
            var scale: Int64 = 100_000
            while let digit = scanner.digit() {
                micros += digit * scale
                scale /= 10
            }
        }
        var offsetSeconds: Int64 = 0
        if let sign = scanner.sign() {
            guard let hours = scanner.number(digits: 2) else { return nil }
            var offset = hours * 3600
            if scanner.skip(":") {
                guard let minutes = scanner.number(digits: 2) else { return nil }
                offset += minutes * 60
                if scanner.skip(":") {
                    guard let seconds = scanner.number(digits: 2) else { return nil }
                    offset += seconds
                }
            }
            offsetSeconds = sign * offset
        }
        guard scanner.isAtEnd else { return nil }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return seconds * 1_000_000 + micros
    }
}

/// A cursor over ASCII digits and separators.
private struct DigitScanner {
    private let bytes: [UInt8]
    private var index = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    var isAtEnd: Bool { index == bytes.count }

    mutating func skip(_ character: Character) -> Bool {
        guard index < bytes.count, bytes[index] == character.asciiValue else { return false }
        index += 1
        return true
    }

    mutating func digit() -> Int64? {
        guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
        defer { index += 1 }
        return Int64(bytes[index] - UInt8(ascii: "0"))
    }

    mutating func number(digits count: Int) -> Int64? {
        var value: Int64 = 0
        for _ in 0..<count {
            guard let digit = digit() else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    mutating func sign() -> Int64? {
        if skip("+") { return 1 }
        if skip("-") { return -1 }
        return nil
    }
}

extension Int64 {
    /// Quotient rounded toward negative infinity and a non-negative remainder.
    fileprivate func floorDivided(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let remainder = self % divisor
        return remainder < 0 ? (self / divisor - 1, remainder + divisor) : (self / divisor, remainder)
    }
}
