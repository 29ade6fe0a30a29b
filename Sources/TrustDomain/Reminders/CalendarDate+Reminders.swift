import Foundation

extension CalendarDate {
    /// The date `days` later (earlier when negative). Day arithmetic on the civil calendar, not
    /// on instants, so "7 days before" is the same wall-clock day whatever the clocks did.
    public func adding(days: Int) -> CalendarDate {
        let (y, m, d) = Self.civil(fromDays: daysSinceEpoch + days)
        return CalendarDate(year: y, month: m, day: d)!
    }

    /// 1 for Monday to 7 for Sunday (ISO 8601), from the day number alone.
    public var weekday: Int { ((daysSinceEpoch + 3) % 7 + 7) % 7 + 1 }  // 1970-01-01 was a Thursday

    /// Whole days from `other` to this date.
    public func days(since other: CalendarDate) -> Int { daysSinceEpoch - other.daysSinceEpoch }

    /// The local date of `instant` in `timeZone`: the day a person in that zone would say it is.
    public init(_ instant: Date, in timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: instant)
        self.init(year: parts.year!, month: parts.month!, day: parts.day!)!
    }

    /// "Thursday 16 September 2021": how the trust writes dates to people. Built from fixed
    /// English names so the text never depends on the host's locale.
    public var longDescription: String {
        let weekdays = ["Thursday", "Friday", "Saturday", "Sunday", "Monday", "Tuesday", "Wednesday"]
        let months = ["January", "February", "March", "April", "May", "June", "July", "August",
                      "September", "October", "November", "December"]
        let weekday = weekdays[((daysSinceEpoch % 7) + 7) % 7]  // 1970-01-01 was a Thursday
        return "\(weekday) \(day) \(months[month - 1]) \(year)"
    }

    /// Howard Hinnant's `days_from_civil` (proleptic Gregorian).
    private var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let fields = UTCDateFields.civil(fromDays: days)
        return (fields.year, fields.month, fields.day)
    }
}
