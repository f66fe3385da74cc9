public import Foundation

/// A Swift value that can be sent as a statement parameter, in PostgreSQL's text format
/// or, for the types that provide it, its binary format.
///
/// Parameters always travel apart from the statement text (`PQexecParams`), so no
/// value is ever parsed as SQL, whatever characters it holds.
public protocol PostgresBindable {
    /// The text PostgreSQL reads the value from, or `nil` for SQL `NULL`.
    var postgresText: String? { get }

    /// The bytes of the value in PostgreSQL's binary format (what the type's `recv`
    /// function reads), or `nil` to send ``postgresText``. The parameter's type must
    /// be the one the bytes encode, for example by a cast in the statement.
    var postgresBinary: [UInt8]? { get }
}

extension PostgresBindable {
    /// Text by default.
    public var postgresBinary: [UInt8]? { nil }
}

extension String: PostgresBindable {
    /// The string itself.
    public var postgresText: String? { self }
}

extension Int: PostgresBindable {
    /// The decimal digits.
    public var postgresText: String? { String(self) }
}

extension Int64: PostgresBindable {
    /// The decimal digits.
    public var postgresText: String? { String(self) }
}

extension Int32: PostgresBindable {
    /// The decimal digits.
    public var postgresText: String? { String(self) }
}

extension Double: PostgresBindable {
    /// Shortest round-tripping decimal; `NaN` and infinities as PostgreSQL spells them.
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self > 0 ? "Infinity" : "-Infinity" }
        return String(self)
    }
}

extension Bool: PostgresBindable {
    /// `t` or `f`.
    public var postgresText: String? { self ? "t" : "f" }
}

extension Date: PostgresBindable {
    /// RFC 3339 in UTC with microseconds, which `timestamptz` reads exactly.
    public var postgresText: String? { PostgresTimestamp.format(self) }
}

extension Optional: PostgresBindable where Wrapped: PostgresBindable {
    /// The wrapped value's text, or `NULL`.
    public var postgresText: String? { self?.postgresText }
}

extension Array: PostgresBindable where Element: PostgresBindable {
    /// A one-dimensional array literal (`{"a","b",NULL}`), every element quoted and
    /// escaped, for parameters such as `unnest($1::text[])`.
    ///
    /// Built byte by byte: the exposure writer sends six of these per commit, and
    /// appending one Unicode scalar at a time cost 12 µs per row. Escaping bytes is
    /// exact for UTF-8, where `"` and `\` never occur inside a multi-byte sequence.
    public var postgresText: String? {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        var bytes: [UInt8] = []
        bytes.reserveCapacity(2 + count * 24)
        bytes.append(UInt8(ascii: "{"))
        for (index, element) in enumerated() {
            if index > 0 {
                bytes.append(UInt8(ascii: ","))
            }
            guard let elementText = element.postgresText else {
                bytes.append(contentsOf: "NULL".utf8)
                continue
            }
            bytes.append(quote)
            for byte in elementText.utf8 {
                if byte == quote || byte == backslash {
                    bytes.append(backslash)
                }
                bytes.append(byte)
            }
            bytes.append(quote)
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Converts between `Date` and the text PostgreSQL uses for `timestamptz`.
public enum PostgresTimestamp {
    /// Formats a date as `YYYY-MM-DDTHH:MM:SS.ffffffZ` in UTC.
    public static func format(_ date: Date) -> String {
        let totalMicros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let micros = Int64(totalMicros)
        var seconds = micros / 1_000_000
        var fraction = micros % 1_000_000
        if fraction < 0 {
            fraction += 1_000_000
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = civilDate(fromDays: days)
        let hour = secondOfDay / 3_600
        let minute = secondOfDay % 3_600 / 60
        let second = secondOfDay % 60
        var bytes: [UInt8] = []
        bytes.reserveCapacity(27)
        appendPadded(year, width: 4, then: "-", to: &bytes)
        appendPadded(month, width: 2, then: "-", to: &bytes)
        appendPadded(day, width: 2, then: "T", to: &bytes)
        appendPadded(hour, width: 2, then: ":", to: &bytes)
        appendPadded(minute, width: 2, then: ":", to: &bytes)
        appendPadded(second, width: 2, then: ".", to: &bytes)
        appendPadded(fraction, width: 6, then: "Z", to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses PostgreSQL's ISO output (`2026-10-01 00:00:00.5+00`) or RFC 3339
    /// (`2026-10-01T00:00:00.5Z`, `…+02:00`), from 0001-01-01T00:00:00Z on; returns
    /// `nil` for anything else.
    public static func parse(_ text: String) -> Date? {
        var reader = DigitReader(Array(text.utf8))
        guard let year = reader.number(4), reader.take("-"),
            let month = reader.number(2), reader.take("-"),
            let day = reader.number(2), reader.take("T") || reader.take("t") || reader.take(" "),
            let hour = reader.number(2), reader.take(":"),
            let minute = reader.number(2), reader.take(":"),
            let second = reader.number(2)
        else { return nil }
        // Year 0 is valid RFC 3339 but not a year PostgreSQL reads (1 BC has no ISO form there).
        guard year >= 1, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
            second < 61
        else { return nil }

        var fraction = 0.0
        if reader.take(".") {
            var scale = 0.1
            var digits = 0
            while let digit = reader.digit() {
                fraction += Double(digit) * scale
                scale /= 10
                digits += 1
            }
            guard digits > 0 else { return nil }
        }

        var offset: Int64 = 0
        if reader.take("Z") || reader.take("z") {
            offset = 0
        } else if let sign = reader.sign() {
            guard let offsetHours = reader.number(2) else { return nil }
            var offsetMinutes: Int64 = 0
            var offsetSeconds: Int64 = 0
            if reader.take(":") {
                guard let value = reader.number(2) else { return nil }
                offsetMinutes = value
                if reader.take(":") {
                    guard let value = reader.number(2) else { return nil }
                    offsetSeconds = value
                }
            } else if let value = reader.number(2) {
                offsetMinutes = value
            }
            offset = sign * (offsetHours * 3_600 + offsetMinutes * 60 + offsetSeconds)
        } else {
            return nil
        }
        guard reader.isAtEnd else { return nil }
        guard day <= daysInMonth(year: year, month: month) else { return nil }

        let days = days(fromCivil: year, month, day)
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset
        // An offset can carry 0001-01-01 back into year 0, which `format` would write.
        guard seconds >= earliestSecond else { return nil }
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// 0001-01-01T00:00:00Z in seconds since 1970: the first instant `format` writes as
    /// a year PostgreSQL reads.
    static let earliestSecond: Int64 = -62_135_596_800

    /// Appends the decimal digits of `value`, zero-padded on the left to `width`, then
    /// the separator.
    private static func appendPadded(
        _ value: Int64, width: Int, then separator: Unicode.Scalar, to bytes: inout [UInt8]
    ) {
        defer { bytes.append(UInt8(ascii: separator)) }
        guard value >= 0 else {
            let digits = String(value).utf8
            bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: max(0, width - digits.count)))
            bytes.append(contentsOf: digits)
            return
        }
        var divisor: Int64 = 1
        var digitCount = 1
        while divisor <= value / 10 {
            divisor *= 10
            digitCount += 1
        }
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: max(0, width - digitCount)))
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    private static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2:
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return leap ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date of a count of days since 1970-01-01.
    private static func civilDate(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra =
            (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096)
            / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}

/// Reads fixed-width digit groups and separators from ASCII bytes.
private struct DigitReader {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { index == bytes.count }

    mutating func digit() -> Int64? {
        guard index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 else {
            return nil
        }
        defer { index += 1 }
        return Int64(bytes[index] - 0x30)
    }

    mutating func number(_ width: Int) -> Int64? {
        var value: Int64 = 0
        for _ in 0..<width {
            guard let digit = digit() else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    mutating func take(_ character: Character) -> Bool {
        guard index < bytes.count, let ascii = character.asciiValue, bytes[index] == ascii else {
            return false
        }
        index += 1
        return true
    }

    mutating func sign() -> Int64? {
        if take("+") { return 1 }
        if take("-") { return -1 }
        return nil
    }
}
