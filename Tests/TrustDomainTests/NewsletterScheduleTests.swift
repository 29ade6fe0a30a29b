import Foundation
import Testing

@testable import TrustDomain

@Suite("Newsletter schedule")
struct NewsletterScheduleTests {
    let schedule = NewsletterSchedule(anchor: CalendarDate("2021-09-03")!, periodDays: 21)

    static func day(_ text: String) -> CalendarDate { CalendarDate(text)! }
    static func instant(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func issueDatesAreTheAnchorAndEveryTwentyOneDaysAfter() {
        #expect(schedule.issueDate(onOrBefore: Self.day("2021-09-02")) == nil)
        #expect(schedule.issueDate(onOrBefore: Self.day("2021-09-03")) == Self.day("2021-09-03"))
        #expect(schedule.issueDate(onOrBefore: Self.day("2021-09-23")) == Self.day("2021-09-03"))
        #expect(schedule.issueDate(onOrBefore: Self.day("2021-09-24")) == Self.day("2021-09-24"))
        // 119 days after the anchor; 105 = 5 × 21 of them have passed: 17 December.
        #expect(schedule.issueDate(onOrBefore: Self.day("2021-12-31")) == Self.day("2021-12-17"))
        // Across the new year: 126 = 6 × 21 days, still a Friday.
        #expect(schedule.issueDate(onOrBefore: Self.day("2022-01-07")) == Self.day("2022-01-07"))
        #expect(schedule.isIssueDate(Self.day("2021-10-15")))
        #expect(!schedule.isIssueDate(Self.day("2021-10-14")))
        #expect(schedule.nextIssueDate(after: Self.day("2021-09-03")) == Self.day("2021-09-24"))
        #expect(schedule.nextIssueDate(after: Self.day("2021-08-01")) == Self.day("2021-09-03"))
    }

    @Test func dueIssueIsDecidedOnLondonClocks() {
        let last = Self.day("2021-09-03")
        // 07:00 UTC is 08:00 BST on the issue day.
        #expect(schedule.dueIssue(now: Self.instant("2021-09-24T07:00:00Z"), lastPublished: last) == Self.day("2021-09-24"))
        // 23:30 UTC on Thursday is already 00:30 on Friday in London.
        #expect(schedule.dueIssue(now: Self.instant("2021-09-23T23:30:00Z"), lastPublished: last) == Self.day("2021-09-24"))
        // 22:59 UTC is 23:59 BST on Thursday: not yet.
        #expect(schedule.dueIssue(now: Self.instant("2021-09-23T22:59:00Z"), lastPublished: last) == nil)
    }

    @Test func afterDowntimeOnlyTheLatestMissedIssueIsDueOnce() {
        // Down from 4 September to 20 October: 24 September and 15 October were missed.
        let now = Self.instant("2021-10-20T09:00:00Z")
        #expect(schedule.dueIssue(now: now, lastPublished: Self.day("2021-09-03")) == Self.day("2021-10-15"))
        #expect(schedule.dueIssue(now: now, lastPublished: Self.day("2021-10-15")) == nil)
        #expect(schedule.dueIssue(now: now, lastPublished: nil) == Self.day("2021-10-15"))
        #expect(schedule.dueIssue(now: Self.instant("2021-09-01T09:00:00Z"), lastPublished: nil) == nil)
    }

    @Test func assembleMessagesAreTheSameOnEveryTick() {
        let date = Self.day("2021-09-24")
        #expect(NewsletterSchedule.assembleMessageID(for: date) == "newsletter.assemble:2021-09-24")
        #expect(String(decoding: NewsletterSchedule.assembleBody(for: date), as: UTF8.self) == #"{"issue_date":"2021-09-24"}"#)
    }

    @Test func dayArithmeticCrossesMonthsYearsAndLeapDays() {
        #expect(IssueCalendar.dayNumber(Self.day("1970-01-01")) == 0)
        #expect(IssueCalendar.dayNumber(Self.day("2000-03-01")) == 11_017)
        #expect(IssueCalendar.adding(1, to: Self.day("2024-02-28")) == Self.day("2024-02-29"))
        #expect(IssueCalendar.adding(2, to: Self.day("2024-02-28")) == Self.day("2024-03-01"))
        #expect(IssueCalendar.adding(1, to: Self.day("2023-02-28")) == Self.day("2023-03-01"))
        #expect(IssueCalendar.adding(-1, to: Self.day("2022-01-01")) == Self.day("2021-12-31"))
        #expect(IssueCalendar.days(from: Self.day("2021-09-03"), to: Self.day("2022-09-02")) == 364)
        #expect(IssueCalendar.weekdayAndDay(Self.day("2021-09-16")) == "Thursday 16 September")
        #expect(IssueCalendar.weekdayAndDay(Self.day("2021-09-03")) == "Friday 3 September")
        #expect(IssueCalendar.long(Self.day("2022-01-07")) == "7 January 2022")
    }
}
