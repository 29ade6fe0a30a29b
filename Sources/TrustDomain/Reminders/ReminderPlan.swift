import Foundation

/// One reminder the Scheduler should publish: occurrence × lead time, with the instant it falls
/// due.
public struct ReminderDue: Sendable, Hashable {
    public let request: ReminderRequest
    public let dueAt: Date

    public init(request: ReminderRequest, dueAt: Date) {
        self.request = request
        self.dueAt = dueAt
    }

    public var forumID: String { request.forumID }
    public var occurrenceID: String { request.occurrenceID }
    public var leadDays: Int { request.leadDays }
    /// `reminder.due:<occurrence-id>:<lead>`.
    public var messageID: String { request.messageID }
}

/// When reminders fall due. Pure: the Scheduler supplies the clock and remembers what it has
/// published.
///
/// The rules, chosen so that people get each reminder once, at a civil hour, and never too late
/// to act on:
/// - A reminder `n` days ahead is due at **07:00 Europe/London on the day `n` days before the
///   occurrence's date** (the date as it now stands, after any move). 07:00 puts it at the top
///   of the inbox before the school day; a 0-day reminder is due at 07:00 on the day, or at the
///   start if that is earlier.
/// - **Working days**: when that day is not a working day for the occurrence's academies (a
///   weekend, a bank holiday, a holiday in `terms.json`), the reminder is due on the latest
///   working day before it (`SchoolDays.sendDay`): the INSET Day of Monday 1 November is
///   reminded on Friday 22 October, before half term. Two lead times that land on the same
///   day are one reminder, the nearer lead's, and its text counts the days from the day sent.
/// - A reminder is only ever sent while its occurrence is still in the future.
/// - **Late reminders**: a reminder whose instant has passed (the Scheduler was down, the
///   session was added or moved late) is due at once, rather than never.
/// - **The most recent lead wins**: when several of an occurrence's reminders are past due,
///   only the one nearest the session is due; "a week to go" arriving the day before would be
///   noise next to "tomorrow". The older one is simply never due again.
/// - Cancelled occurrences have no reminders.
public enum ReminderPlan {
    public static let sendTime = ClockTime(hour: 7, minute: 0)!

    /// The instant the `leadDays` reminder of `occurrence` falls due.
    public static func dueInstant(of occurrence: ScheduledOccurrence, leadDays: Int, in timeZone: TimeZone,
                                  schoolDays: SchoolDays? = nil) -> Date
    {
        let nominal = occurrence.occurrence.date.adding(days: -leadDays)
        let day = schoolDays?.sendDay(onOrBefore: nominal, regions: occurrence.occurrence.regions) ?? nominal
        return min(day.instant(at: sendTime, in: timeZone), occurrence.interval.start)
    }

    /// Every reminder of every occurrence that is not cancelled, in due order: the whole year's
    /// plan, ignoring the clock.
    public static func all(_ schedule: ReminderSchedule) -> [ReminderDue] {
        schedule.occurrences.filter { !$0.isCancelled }
            .flatMap { reminders(of: $0, in: schedule) }
            .sorted { ($0.dueAt, $0.messageID) < ($1.dueAt, $1.messageID) }
    }

    /// What is due at `now`: per occurrence still to come, the past-due reminder nearest the
    /// session. With `lastRun`, only those that fell due after it; a stateless caller can tick
    /// with that, but it will not see a reminder that became due retroactively (a session
    /// moved nearer), which is why `ReminderSchedulerState.pendingDue` passes nil and subtracts
    /// what it has published instead.
    public static func due(schedule: ReminderSchedule, now: Date, after lastRun: Date? = nil) -> [ReminderDue] {
        schedule.occurrences
            .filter { !$0.isCancelled && $0.scheduled.interval.start > now }
            .compactMap { occurrence in
                reminders(of: occurrence, in: schedule)
                    .filter { $0.dueAt <= now }
                    .max { ($0.dueAt, -$0.leadDays) < ($1.dueAt, -$1.leadDays) }
            }
            .filter { lastRun == nil || $0.dueAt > lastRun! }
            .sorted { ($0.dueAt, $0.messageID) < ($1.dueAt, $1.messageID) }
    }

    /// `due` for the calendar as published, with no changes applied.
    public static func due(calendar: ForumCalendar, now: Date, after lastRun: Date? = nil) -> [ReminderDue] {
        due(schedule: ReminderSchedule(calendar: calendar), now: now, after: lastRun)
    }

    /// The reminders that will fall due after `now` and no later than `until`, for an operator
    /// asking "what goes out this fortnight"; `due` covers what is due already.
    public static func upcoming(schedule: ReminderSchedule, after now: Date, until: Date) -> [ReminderDue] {
        all(schedule).filter { $0.dueAt > now && $0.dueAt <= until }
    }

    /// When the next reminder falls due after `now`, so a Scheduler can sleep until then.
    public static func nextDueInstant(schedule: ReminderSchedule, after now: Date) -> Date? {
        all(schedule).first { $0.dueAt > now }?.dueAt
    }

    /// One per distinct due instant, nearest lead first: leads moved onto the same working day
    /// are one e-mail, not two on the same morning.
    private static func reminders(of occurrence: PlannedOccurrence, in schedule: ReminderSchedule) -> [ReminderDue] {
        var seen = Set<Date>()
        return Set(occurrence.scheduled.leadDays).sorted().compactMap { lead in
            let due = dueInstant(of: occurrence.scheduled, leadDays: lead, in: schedule.calendar.timeZone,
                                 schoolDays: schedule.schoolDays)
            guard seen.insert(due).inserted else { return nil }
            return ReminderDue(request: ReminderRequest(forumID: occurrence.forum.id, occurrenceID: occurrence.id,
                                                        leadDays: lead), dueAt: due)
        }
    }
}
