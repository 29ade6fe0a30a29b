import Foundation

/// A UTC instant broken into civil fields with plain integer arithmetic, so that mail `Date`
/// headers and iCalendar stamps never depend on the host's locale, time zone database or
/// `DateFormatter` behaviour — the same instant always renders to the same bytes.
struct UTCDateFields: Equatable {
    let year, month, day, hour, minute, second: Int
    /// 0 = Sunday … 6 = Saturday.
    let weekday: Int

    init(_ date: Date) {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = seconds - days * 86_400
        (year, month, day) = Self.civil(fromDays: days)
        hour = secondOfDay / 3600
        minute = secondOfDay % 3600 / 60
        second = secondOfDay % 60
        weekday = (days + 4).floorModulo(7)  // 1970-01-01 was a Thursday.
    }

    /// RFC 5322 §3.3, always in UTC: `Thu, 16 Sep 2021 08:00:00 +0000`.
    var rfc5322: String {
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(weekdays[weekday]), \(day) \(months[month - 1]) \(year) "
            + "\(Self.pad(hour)):\(Self.pad(minute)):\(Self.pad(second)) +0000"
    }

    /// RFC 5545 §3.3.5 form 2 (UTC): `20210916T080000Z`.
    var iCalendarUTC: String {
        Self.basicDateTime(year: year, month: month, day: day, hour: hour, minute: minute,
                           second: second) + "Z"
    }

    static func basicDateTime(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int)
        -> String
    {
        "\(pad(year, 4))\(pad(month))\(pad(day))T\(pad(hour))\(pad(minute))\(pad(second))"
    }

    static func pad(_ value: Int, _ width: Int = 2) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Howard Hinnant's `civil_from_days` (proleptic Gregorian).
    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = z.floorDivided(by: 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

extension Int {
    fileprivate func floorDivided(by divisor: Int) -> Int {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }

    fileprivate func floorModulo(_ divisor: Int) -> Int {
        self - floorDivided(by: divisor) * divisor
    }
}
