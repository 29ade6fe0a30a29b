import Foundation

/// When FAcT issues fall due. Pure, so the scheduler can ask "is an issue due?" on every tick
/// and tests can ask it about any day.
///
/// **The issue rule** ("three weekly", in term time): a nominal date falls every `periodDays`
/// from the anchor. A nominal date that is not a working day at every academy (a weekend, a
/// bank holiday, any academy's holiday in `terms.json`) moves to the **nearest working day**,
/// the earlier one on a tie: an issue due in the Easter holiday goes out on the first day back,
/// one due in the May half term on the Monday after. A date that ends up less than half a
/// period after the previous issue is dropped (that issue already carries its news), so the
/// summer holiday gives no issue in late July and none in August. Issues go at `sendTime` on
/// London clocks, and an item is in an issue when it arrives before that issue's cut-off.
public struct NewsletterSchedule: Sendable, Equatable {
    public let anchor: CalendarDate
    public let periodDays: Int
    /// Issue dates are days in the trust's diary; "today" is decided on London clocks, so an
    /// issue due on Friday is not sent on Thursday evening UTC during British Summer Time.
    public let timeZone: TimeZone
    /// When on its day an issue falls due (London time).
    public let sendTime: ClockTime
    /// Items that arrive after `cutoffDays` before the issue date at `cutoffTime` wait for the
    /// next issue, so the editor has time to read them.
    public let cutoffDays: Int
    public let cutoffTime: ClockTime
    /// The working days issues are moved onto; nil: every nominal date stands.
    public let schoolDays: SchoolDays?

    public init(anchor: CalendarDate, periodDays: Int = 21,
                timeZone: TimeZone = TimeZone(identifier: "Europe/London")!,
                sendTime: ClockTime = ClockTime(hour: 0, minute: 0)!, cutoffDays: Int = 0,
                cutoffTime: ClockTime = ClockTime(hour: 0, minute: 0)!, schoolDays: SchoolDays? = nil) {
        precondition(periodDays > 0, "an issue period must be at least one day")
        self.anchor = anchor
        self.periodDays = periodDays
        self.timeZone = timeZone
        self.sendTime = sendTime
        self.cutoffDays = cutoffDays
        self.cutoffTime = cutoffTime
        self.schoolDays = schoolDays
    }

    /// Every issue date up to and including `day`, in order (see the issue rule).
    public func issueDates(through day: CalendarDate) -> [CalendarDate] {
        var dates: [CalendarDate] = []
        var nominal = anchor
        // A nominal date moves by at most 120 days, so later ones cannot land on or before `day`.
        while nominal <= day.adding(days: 121) {
            let moved = schoolDays.map { $0.nearestWorkingDay(to: nominal) } ?? nominal
            if dates.last.map({ moved.days(since: $0) * 2 >= periodDays }) ?? true { dates.append(moved) }
            nominal = nominal.adding(days: periodDays)
        }
        return dates.filter { $0 <= day }
    }

    /// The latest issue date on or before `day`; nil before the first issue.
    public func issueDate(onOrBefore day: CalendarDate) -> CalendarDate? { issueDates(through: day).last }

    public func isIssueDate(_ day: CalendarDate) -> Bool { issueDate(onOrBefore: day) == day }

    /// The first issue date strictly after `day`.
    public func nextIssueDate(after day: CalendarDate) -> CalendarDate {
        issueDates(through: day.adding(days: 2 * periodDays + 121)).first { $0 > day }
            ?? day.adding(days: periodDays)
    }

    /// The instant the issue of `date` falls due: `sendTime` that day, London time.
    public func sendInstant(of date: CalendarDate) -> Date { date.instant(at: sendTime, in: timeZone) }

    /// The last instant an item may arrive and still be in the issue of `date`.
    public func cutoffInstant(of date: CalendarDate) -> Date {
        min(date.adding(days: -cutoffDays).instant(at: cutoffTime, in: timeZone), sendInstant(of: date))
    }

    /// The issue an item arriving at `instant` will appear in: the first issue after
    /// `latestAssembled` whose cut-off it makes.
    public func issueDate(forItemAt instant: Date, after latestAssembled: CalendarDate?) -> CalendarDate {
        var date = nextIssueDate(after: latestAssembled ?? anchor.adding(days: -1))
        while cutoffInstant(of: date) < instant { date = nextIssueDate(after: date) }
        return date
    }

    /// The issue to assemble now, if any: the latest issue whose send instant has come and that
    /// is after the last one published. After downtime spanning several issue dates this is only
    /// the most recent one, so the trust gets one catch-up issue rather than a burst of stale
    /// ones, and asking again on the next tick (once it is published) gives nil.
    public func dueIssue(now: Date, lastPublished: CalendarDate?) -> CalendarDate? {
        guard let latest = issueDates(through: IssueCalendar.day(of: now, in: timeZone))
            .last(where: { sendInstant(of: $0) <= now }) else { return nil }
        if let lastPublished, lastPublished >= latest { return nil }
        return latest
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
