import Foundation
import Testing

import TrustDomain

/// Shared by the reminder tests: the real 2021-22 calendar and instants written as text.
enum ReminderFixture {
    static func utc(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    static func move(_ schedule: ReminderSchedule, _ id: String, to date: String, start: String? = nil,
                     end: String? = nil, now: Date) throws -> ReminderSchedule {
        let update = CalendarUpdate(occurrenceID: id, action: .move(date: CalendarDate(date)!,
                                                                    start: start.flatMap(ClockTime.init),
                                                                    end: end.flatMap(ClockTime.init)))
        let change = try #require(try schedule.change(for: update, now: now))
        return ReminderSchedule(calendar: schedule.calendar, changes: Array(schedule.changes.values) + [change])
    }

    static func cancel(_ schedule: ReminderSchedule, _ id: String, now: Date) throws -> ReminderSchedule {
        let change = try #require(try schedule.change(for: CalendarUpdate(occurrenceID: id, action: .cancel,
                                                                          reason: "Snow"), now: now))
        return ReminderSchedule(calendar: schedule.calendar, changes: Array(schedule.changes.values) + [change])
    }
}

@Suite("Reminders: when they fall due")
struct ReminderPlanTests {
    let calendar: ForumCalendar
    let schedule: ReminderSchedule
    init() throws {
        calendar = try ConfigFixture.forums()
        schedule = ReminderSchedule(calendar: calendar)
    }

    private func ids(_ due: [ReminderDue]) -> [String] { due.map(\.messageID) }

    /// 07:00 on London clocks: 06:00 UTC in British Summer Time, 07:00 UTC in winter.
    @Test(arguments: [
        ("english-leaders-2021-09-16", 7, "2021-09-09T06:00:00Z"),
        ("english-leaders-2021-09-16", 1, "2021-09-15T06:00:00Z"),
        ("leaders-forum-2022-01-20", 7, "2022-01-13T07:00:00Z"),
        ("leaders-forum-2022-01-20", 1, "2022-01-19T07:00:00Z"),
        // The clocks went back at 01:00 UTC on 31 October 2021: the week-ahead reminder of the
        // 1 November INSET day is still in BST, the day-before one in GMT.
        ("inset-day-2021-11-01", 7, "2021-10-25T06:00:00Z"),
        ("inset-day-2021-11-01", 1, "2021-10-31T07:00:00Z"),
    ])
    func dueAtSevenLondonTimeOnTheDayLeadDaysBefore(id: String, lead: Int, expected: String) throws {
        let occurrence = try #require(calendar.occurrence(id: id))
        #expect(ReminderPlan.dueInstant(of: occurrence, leadDays: lead, in: calendar.timeZone)
                == ReminderFixture.utc(expected))
    }

    /// A session moved to just after the spring clock change: the week-ahead reminder is in GMT,
    /// the day-before one falls on the very morning the clocks go forward, the session in BST.
    @Test func aSessionAfterTheMarchClockChangeIsRemindedAtLocalSevenEitherSide() throws {
        let now = ReminderFixture.utc("2022-03-01T12:00:00Z")
        let moved = try ReminderFixture.move(schedule, "english-leaders-2022-05-23", to: "2022-03-28", now: now)
        let occurrence = try #require(moved.occurrence(id: "english-leaders-2022-05-23"))
        #expect(occurrence.scheduled.interval.start == ReminderFixture.utc("2022-03-28T08:00:00Z"))
        let reminders = ReminderPlan.all(moved).filter { $0.occurrenceID == occurrence.id }
        #expect(reminders.map(\.dueAt) == [ReminderFixture.utc("2022-03-21T07:00:00Z"),
                                           ReminderFixture.utc("2022-03-27T06:00:00Z")])
        #expect(reminders.map(\.leadDays) == [7, 1])
    }

    /// 9 September 2021, 09:00 BST: the English Leaders Forum's week-ahead reminder fell due at
    /// 07:00; two sessions whose week-ahead reminders fell due before anything ran are sent
    /// late rather than never.
    @Test func onNineSeptemberTheEnglishForumAndTwoLateRemindersAreDue() {
        let now = ReminderFixture.utc("2021-09-09T08:00:00Z")
        #expect(ids(ReminderPlan.due(calendar: calendar, now: now)) == [
            "reminder.due:induction-2021-09-14:7",  // due 7 September
            "reminder.due:curriculum-pedagogy-leads-2021-09-15:7",  // due 8 September
            "reminder.due:english-leaders-2021-09-16:7",
        ])
        let due = ReminderPlan.due(calendar: calendar, now: now).last!
        #expect(due.forumID == "english-leaders" && due.leadDays == 7)
        #expect(due.dueAt == ReminderFixture.utc("2021-09-09T06:00:00Z"))
        // A Scheduler that last ran at 05:00 UTC sees only what fell due since.
        #expect(ids(ReminderPlan.due(calendar: calendar, now: now, after: ReminderFixture.utc("2021-09-09T05:00:00Z")))
                == ["reminder.due:english-leaders-2021-09-16:7"])
        #expect(ReminderPlan.due(calendar: calendar, now: ReminderFixture.utc("2021-09-09T05:59:00Z"))
            .allSatisfy { $0.occurrenceID != "english-leaders-2021-09-16" })
    }

    @Test func theReminderNearestTheSessionSupersedesAnOlderOneStillPending() {
        let now = ReminderFixture.utc("2021-09-15T07:30:00Z")
        #expect(ids(ReminderPlan.due(calendar: calendar, now: now)) == [
            "reminder.due:ect-safeguarding-2021-09-17:7",  // late since 10 September; its 1-day one is tomorrow
            "reminder.due:curriculum-pedagogy-leads-2021-09-15:1",  // starts 08:00 UTC today
            "reminder.due:english-leaders-2021-09-16:1",
        ])
        // Once a session has started nothing more is due for it.
        let started = ReminderFixture.utc("2021-09-15T08:00:00Z")
        #expect(!ids(ReminderPlan.due(calendar: calendar, now: started)).contains { $0.contains("curriculum") })
    }

    @Test func cancelledSessionsHaveNoRemindersAndMovedOnesFollowTheirNewDate() throws {
        let now = ReminderFixture.utc("2021-09-05T12:00:00Z")
        let cancelled = try ReminderFixture.cancel(schedule, "english-leaders-2021-09-16", now: now)
        #expect(!ReminderPlan.all(cancelled).contains { $0.occurrenceID == "english-leaders-2021-09-16" })
        #expect(ReminderPlan.due(schedule: cancelled, now: ReminderFixture.utc("2021-09-09T08:00:00Z")).count == 2)

        let moved = try ReminderFixture.move(schedule, "english-leaders-2021-09-16", to: "2021-09-23", now: now)
        #expect(ReminderPlan.all(moved).filter { $0.occurrenceID == "english-leaders-2021-09-16" }.map(\.dueAt)
                == [ReminderFixture.utc("2021-09-16T06:00:00Z"), ReminderFixture.utc("2021-09-22T06:00:00Z")])
        #expect(ReminderPlan.due(schedule: moved, now: ReminderFixture.utc("2021-09-09T08:00:00Z")).count == 2)
    }

    /// 87 sessions: 29 in the weekly series with a day-before reminder only, 58 with two.
    @Test func theYearHasOneHundredAndFortyFiveReminders() {
        let all = ReminderPlan.all(schedule)
        #expect(all.count == 58 * 2 + 29)
        #expect(Set(all.map(\.messageID)).count == all.count)
        #expect(all.map(\.dueAt) == all.map(\.dueAt).sorted())
    }

    @Test func aSchedulerCanSleepUntilTheNextReminder() {
        let now = ReminderFixture.utc("2021-09-09T08:00:00Z")
        #expect(ReminderPlan.nextDueInstant(schedule: schedule, after: now) == ReminderFixture.utc("2021-09-10T06:00:00Z"))
        let fortnight = ReminderPlan.upcoming(schedule: schedule, after: now, until: now.addingTimeInterval(7 * 86_400))
        #expect(fortnight.first?.messageID == "reminder.due:ect-safeguarding-2021-09-17:7")
        #expect(fortnight.allSatisfy { $0.dueAt > now && $0.dueAt <= now.addingTimeInterval(7 * 86_400) })
    }

    @Test func civilDateArithmeticCrossesMonthsAndYears() {
        let date = CalendarDate("2022-03-01")!
        #expect(date.adding(days: -1).description == "2022-02-28")
        #expect(CalendarDate("2021-12-31")!.adding(days: 1).description == "2022-01-01")
        #expect(CalendarDate("2024-03-01")!.adding(days: -1).description == "2024-02-29")
        #expect(CalendarDate("2021-09-16")!.longDescription == "Thursday 16 September 2021")
        #expect(CalendarDate("2022-02-08")!.longDescription == "Tuesday 8 February 2022")
        #expect(CalendarDate("2021-09-16")!.days(since: CalendarDate("2021-09-09")!) == 7)
    }
}
