import Foundation

/// When FAcT issues fall due: the anchor date and every `periodDays` after it. Pure, so the
/// scheduler can ask "is an issue due?" on every tick and tests can ask it about any day.
public struct NewsletterSchedule: Sendable, Equatable {
    public let anchor: CalendarDate
    public let periodDays: Int
    /// Issue dates are days in the trust's diary; "today" is decided on London clocks, so an
    /// issue due on Friday is not sent on Thursday evening UTC during British Summer Time.
    public let timeZone: TimeZone

    public init(anchor: CalendarDate, periodDays: Int = 21,
                timeZone: TimeZone = TimeZone(identifier: "Europe/London")!) {
        precondition(periodDays > 0, "an issue period must be at least one day")
        self.anchor = anchor
        self.periodDays = periodDays
        self.timeZone = timeZone
    }

    /// The latest issue date on or before `day`; nil before the first issue.
    public func issueDate(onOrBefore day: CalendarDate) -> CalendarDate? {
        let elapsed = IssueCalendar.days(from: anchor, to: day)
        guard elapsed >= 0 else { return nil }
        return IssueCalendar.adding(elapsed - elapsed % periodDays, to: anchor)
    }

    public func isIssueDate(_ day: CalendarDate) -> Bool { issueDate(onOrBefore: day) == day }

    /// The first issue date strictly after `day`.
    public func nextIssueDate(after day: CalendarDate) -> CalendarDate {
        guard let latest = issueDate(onOrBefore: day) else { return anchor }
        return IssueCalendar.adding(periodDays, to: latest)
    }

    /// The issue to assemble now, if any: the latest issue date up to today that is after the
    /// last one published. After downtime spanning several issue dates this is only the most
    /// recent one, so the trust gets one catch-up issue rather than a burst of stale ones, and
    /// asking again on the next tick (once it is published) gives nil.
    public func dueIssue(now: Date, lastPublished: CalendarDate?) -> CalendarDate? {
        guard let latest = issueDate(onOrBefore: IssueCalendar.day(of: now, in: timeZone)) else { return nil }
        if let lastPublished, lastPublished >= latest { return nil }
        return latest
    }

    /// The first day an issue reports on: the previous issue's date, or one period back for
    /// the first issue, so "new since last time" has the same meaning either way.
    public func coverageStart(of issueDate: CalendarDate, previousIssue: CalendarDate?) -> CalendarDate {
        previousIssue ?? IssueCalendar.adding(-periodDays, to: issueDate)
    }

    /// The message id of the assemble message for `date`: the same on every tick and from
    /// every scheduler, so the runtime's ledger turns repeats into no-ops.
    public static func assembleMessageID(for date: CalendarDate) -> String { "newsletter.assemble:\(date)" }

    /// The body of the assemble message for `date`, in the contract's shape.
    public static func assembleBody(for date: CalendarDate) -> [UInt8] { Array("{\"issue_date\":\"\(date)\"}".utf8) }
}

/// Day arithmetic on wall-calendar dates, in whole days with no time zone involved: counting
/// forward from an anchor must give the same Fridays whatever the clocks did in between.
enum IssueCalendar {
    /// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil,
    /// the inverse of ``UTCDateFields/civil(fromDays:)``).
    static func dayNumber(_ d: CalendarDate) -> Int {
        let y = d.month <= 2 ? d.year - 1 : d.year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * ((d.month + 9) % 12) + 2) / 5 + d.day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func date(dayNumber n: Int) -> CalendarDate {
        let (year, month, day) = UTCDateFields.civil(fromDays: n)
        guard let date = CalendarDate(year: year, month: month, day: day) else {
            preconditionFailure("day number \(n) is outside the years 1 to 9999")
        }
        return date
    }

    static func adding(_ days: Int, to d: CalendarDate) -> CalendarDate { date(dayNumber: dayNumber(d) + days) }
    static func days(from a: CalendarDate, to b: CalendarDate) -> Int { dayNumber(b) - dayNumber(a) }

    /// The wall-calendar day `instant` falls on in `zone`.
    static func day(of instant: Date, in zone: TimeZone) -> CalendarDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day], from: instant)
        guard let year = parts.year, let month = parts.month, let day = parts.day,
              let date = CalendarDate(year: year, month: month, day: day) else {
            preconditionFailure("\(instant) has no calendar day")
        }
        return date
    }

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August",
                             "September", "October", "November", "December"]
    static let weekdayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// "24 September 2021": the way the trust writes dates for people.
    static func long(_ d: CalendarDate) -> String { "\(d.day) \(monthNames[d.month - 1]) \(d.year)" }

    /// "Thursday 16 September".
    static func weekdayAndDay(_ d: CalendarDate) -> String {
        // 1970-01-01 was a Thursday (index 3 counting from Monday).
        let weekday = ((dayNumber(d) + 3) % 7 + 7) % 7
        return "\(weekdayNames[weekday]) \(d.day) \(monthNames[d.month - 1])"
    }
}
