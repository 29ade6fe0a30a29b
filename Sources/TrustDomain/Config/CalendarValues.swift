import Foundation

/// A day on the wall calendar (`2021-09-16`), with no time zone. Forum dates are what people
/// put in diaries; turning one into an instant needs a time of day and a zone, which is why this
/// is not a Foundation `Date`.
public struct CalendarDate: Hashable, Comparable, Sendable, ConfigText {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Fails for dates that do not exist, such as 30 February or 29 February 2022.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...daysInMonth(month, of: year)).contains(day)
        else { return nil }
        (self.year, self.month, self.day) = (year, month, day)
    }

    /// Only the exact `YYYY-MM-DD` form: `2021-9-16` or `16/09/2021` are refused, not guessed.
    public init?(_ text: String) {
        guard let parts = fixedWidthNumbers(text, separator: "-", widths: [4, 2, 2]) else {
            return nil
        }
        self.init(year: parts[0], month: parts[1], day: parts[2])
    }

    public var description: String {
        "\(zeroPadded(year, 4))-\(zeroPadded(month, 2))-\(zeroPadded(day, 2))"
    }

    /// The instant this date shows `time` on clocks in `timeZone`. Europe/London changes offset
    /// twice a year, so 09:00 is 08:00 UTC in September but 09:00 UTC in January.
    public func instant(at time: ClockTime, in timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = DateComponents(year: year, month: month, day: day,
                                   hour: time.hour, minute: time.minute)
        guard let instant = calendar.date(from: parts) else {
            preconditionFailure("validated date \(self) \(time) has no instant in \(timeZone)")
        }
        return instant
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    static let formatProblem = "is not a real calendar date (expected YYYY-MM-DD)"
    public init(from decoder: any Decoder) throws { self = try Self.decodeText(from: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeText(to: encoder) }
}

/// A time of day on a 24-hour wall clock (`09:30`), meaningful only together with a date and a
/// time zone.
public struct ClockTime: Hashable, Comparable, Sendable, ConfigText {
    public let hour: Int
    public let minute: Int

    public init?(hour: Int, minute: Int) {
        guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        (self.hour, self.minute) = (hour, minute)
    }

    /// Only `HH:MM` with two digits each, the way the seed and school diaries write times.
    public init?(_ text: String) {
        guard let parts = fixedWidthNumbers(text, separator: ":", widths: [2, 2]) else {
            return nil
        }
        self.init(hour: parts[0], minute: parts[1])
    }

    public var description: String { "\(zeroPadded(hour, 2)):\(zeroPadded(minute, 2))" }

    public static func < (a: ClockTime, b: ClockTime) -> Bool {
        (a.hour, a.minute) < (b.hour, b.minute)
    }

    static let formatProblem = "is not a time of day (expected HH:MM, 24-hour clock)"
    public init(from decoder: any Decoder) throws { self = try Self.decodeText(from: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeText(to: encoder) }
}

/// A month (`2018-10`): Ofsted judgements and census figures are quoted to the month, and
/// inventing a day would claim precision the sources do not have.
public struct YearMonth: Hashable, Comparable, Sendable, ConfigText {
    public let year: Int
    public let month: Int

    public init?(year: Int, month: Int) {
        guard (1...9999).contains(year), (1...12).contains(month) else { return nil }
        (self.year, self.month) = (year, month)
    }

    public init?(_ text: String) {
        guard let parts = fixedWidthNumbers(text, separator: "-", widths: [4, 2]) else {
            return nil
        }
        self.init(year: parts[0], month: parts[1])
    }

    public var description: String { "\(zeroPadded(year, 4))-\(zeroPadded(month, 2))" }

    public static func < (a: YearMonth, b: YearMonth) -> Bool {
        (a.year, a.month) < (b.year, b.month)
    }

    static let formatProblem = "is not a real month (expected YYYY-MM)"
    public init(from decoder: any Decoder) throws { self = try Self.decodeText(from: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeText(to: encoder) }
}

/// Splits text such as `2021-09-16` into numbers, insisting on exactly `widths` ASCII digits per
/// part, so that odd spellings fail loudly instead of being read as something else.
private func fixedWidthNumbers(_ text: String, separator: Character, widths: [Int]) -> [Int]? {
    let parts = text.split(separator: separator, omittingEmptySubsequences: false)
    guard parts.count == widths.count else { return nil }
    var numbers: [Int] = []
    for (part, width) in zip(parts, widths) {
        guard part.utf8.count == width,
            part.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let number = Int(part)
        else { return nil }
        numbers.append(number)
    }
    return numbers
}

private func zeroPadded(_ number: Int, _ width: Int) -> String {
    let digits = String(number)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}

private func daysInMonth(_ month: Int, of year: Int) -> Int {
    switch month {
    case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
}
