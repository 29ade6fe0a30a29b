import Foundation
import Testing

import TrustDomain

@Suite("Config/forums.json")
struct ConfigForumsTests {
    let calendar: ForumCalendar
    init() throws { calendar = try ConfigFixture.forums() }

    private func occurrence(_ id: String) throws -> ScheduledOccurrence {
        try #require(calendar.occurrence(id: id), "no occurrence \(id)")
    }

    private func utc(_ text: String) throws -> Date {
        try Date(text, strategy: .iso8601)
    }

    /// One row per forum of the published 2021-22 calendar, with the number of dated sessions
    /// it lists (the 8 February leadership sessions count twice: am and pm).
    @Test(arguments: [
        ("curriculum-pedagogy-leads", 2), ("english-leaders", 2), ("maths-leaders", 2),
        ("early-years", 2), ("leaders-forum", 5), ("governor-forum", 3),
        ("business-managers", 3), ("dsl-update", 1), ("leadership-heads", 6),
        ("leadership-deputies", 6), ("inset-day", 1), ("induction", 1), ("ipops", 18),
        ("support-staff-training", 12), ("ect-forum-year-one", 17), ("ect-safeguarding", 1),
        ("ect-mentor-training", 4), ("ect-induction-day", 1),
    ])
    func everySeedOccurrenceIsListed(forumID: String, count: Int) throws {
        let forum = try #require(calendar.forum(id: forumID))
        #expect(forum.occurrences.count == count)
    }

    @Test func noOccurrenceIsInventedBeyondTheSeed() {
        #expect(calendar.forums.count == 18)
        #expect(calendar.schedule.count == 87)
    }

    /// Every date as printed in the seed's tables, in the seed's order, transcribed separately
    /// from the JSON so a mistyped date shows up even when the count is right.
    @Test(arguments: [
        ("curriculum-pedagogy-leads", ["2021-09-15", "2022-06-22"]),
        ("english-leaders", ["2021-09-16", "2022-05-23"]),
        ("maths-leaders", ["2021-09-23", "2022-05-25"]),
        ("early-years", ["2021-10-06", "2022-04-29"]),
        ("leaders-forum", ["2021-09-30", "2022-01-20", "2022-03-10", "2022-05-19", "2022-06-30"]),
        ("governor-forum", ["2021-09-28", "2022-03-15", "2022-07-07"]),
        ("business-managers", ["2021-10-12", "2022-02-22", "2022-06-15"]),
        ("dsl-update", ["2022-01-14"]),
        ("leadership-heads",
         ["2021-10-12", "2021-11-09", "2021-11-30", "2022-01-18", "2022-02-08", "2022-02-08"]),
        // Printed without a year; autumn dates are 2021, spring 2022.
        ("leadership-deputies",
         ["2021-10-19", "2021-11-16", "2021-12-07", "2022-01-25", "2022-02-08", "2022-02-08"]),
        ("inset-day", ["2021-11-01"]),
        ("induction", ["2021-09-14"]),
        ("ipops", [
            "2021-10-14", "2021-10-21", "2021-11-04", "2021-11-11", "2021-11-18", "2021-11-25",
            "2022-01-13", "2022-01-27", "2022-02-03", "2022-02-10", "2022-02-24", "2022-03-03",
            "2022-05-26", "2022-06-09", "2022-06-16", "2022-06-21", "2022-06-28", "2022-07-07",
        ]),
        ("support-staff-training", [
            "2021-11-05", "2021-11-12", "2021-11-19", "2021-11-26", "2022-03-04", "2022-03-11",
            "2022-03-18", "2022-03-25", "2022-06-03", "2022-06-10", "2022-06-17", "2022-06-24",
        ]),
        ("ect-forum-year-one", [
            "2021-09-23", "2021-10-07", "2021-11-18", "2021-11-25", "2021-12-02", "2022-01-06",
            "2022-01-13", "2022-01-20", "2022-03-10", "2022-03-17", "2022-03-24", "2022-05-19",
            "2022-05-26", "2022-06-09", "2022-06-16", "2022-07-07", "2022-07-14",
        ]),
        ("ect-safeguarding", ["2021-09-17"]),
        ("ect-mentor-training", ["2021-09-28", "2021-11-10", "2022-01-13", "2022-03-21"]),
        ("ect-induction-day", ["2022-06-23"]),
    ])
    func seedDatesAreListedExactly(forumID: String, dates: [String]) throws {
        let forum = try #require(calendar.forum(id: forumID))
        #expect(forum.occurrences.map(\.date.description) == dates)
    }

    @Test func summerTimeSessionStartsAnHourEarlierInUTC() throws {
        let english = try occurrence("english-leaders-2021-09-16")
        #expect(english.interval.start == (try utc("2021-09-16T08:00:00Z")))
        #expect(english.interval.end == (try utc("2021-09-16T14:30:00Z")))
    }

    @Test func sessionAfterTheMarch2022ClockChangeIsInBST() throws {
        let leaders = try occurrence("leaders-forum-2022-05-19")
        #expect(leaders.interval.start == (try utc("2022-05-19T08:00:00Z")))
        // The last support staff session before the change (27 March) is still GMT.
        let beforeChange = try occurrence("support-staff-training-2022-03-25")
        #expect(beforeChange.interval.start == (try utc("2022-03-25T09:30:00Z")))
    }

    @Test func winterSessionIsInGMT() throws {
        let leaders = try occurrence("leaders-forum-2022-01-20")
        #expect(leaders.interval.start == (try utc("2022-01-20T09:00:00Z")))
        #expect(leaders.interval.end == (try utc("2022-01-20T15:30:00Z")))
        #expect(leaders.occurrence.mode == .virtual)
    }

    @Test func ipopsInviteOnlyTheYearGroupOfEachSession() throws {
        let ipops = try #require(calendar.forum(id: "ipops"))
        for occurrence in ipops.occurrences {
            let year = try #require(occurrence.session?.dropFirst())
            #expect(ipops.audience(for: occurrence).map(\.rawValue) == ["teacher-y\(year)"])
        }
        #expect(try occurrence("ipops-2021-10-14").audience == [.teacherY6])
    }

    @Test func februaryLeadershipSessionsAreSplitByArea() throws {
        let am = try occurrence("leadership-heads-2022-02-08-am")
        let pm = try occurrence("leadership-heads-2022-02-08-pm")
        #expect(am.occurrence.regions == [.northWest, .cheshire])
        #expect(pm.occurrence.regions == [.westYorkshire])
        #expect(am.interval.start == (try utc("2022-02-08T10:00:00Z")))
        #expect(pm.interval.start == (try utc("2022-02-08T13:30:00Z")))
        #expect(am.audience == [.headteacher, .centralTeam])
    }

    typealias Slot = KeyPath<DefaultTimes, TimeSlot> & Sendable

    /// Sessions whose calendar entry gives no times use the file's documented defaults.
    @Test(arguments: [
        ("governor-forum", \DefaultTimes.unstated), ("business-managers", \.unstated),
        ("induction", \.unstated), ("ect-mentor-training", \.unstated),
        ("early-years", \.halfDayAM), ("english-leaders", \.fullDay), ("dsl-update", \.fullDay),
        ("ect-induction-day", \.fullDay),
    ] as [(String, Slot)])
    func unstatedTimesFollowTheDefaults(forumID: String, slot: Slot) throws {
        let expected = calendar.defaultTimes[keyPath: slot]
        let forum = try #require(calendar.forum(id: forumID))
        for occurrence in forum.occurrences {
            #expect(TimeSlot(start: occurrence.start, end: occurrence.end) == expected)
        }
    }

    @Test func dateRangeQueryIsInclusiveAndInTimeOrder() throws {
        let range = try #require(CalendarDate("2022-01-13"))...#require(CalendarDate("2022-01-14"))
        #expect(calendar.occurrences(in: range).map(\.occurrence.id) == [
            "ipops-2022-01-13", "ect-mentor-training-2022-01-13", "ect-forum-year-one-2022-01-13",
            "dsl-update-2022-01-14",
        ])
    }

    @Test func weeklySeriesRemindOnlyTheDayBefore() throws {
        #expect(calendar.defaultLeadDays == [7, 1])
        #expect(try occurrence("ect-forum-year-one-2021-09-23").leadDays == [1])
        #expect(try occurrence("english-leaders-2021-09-16").leadDays == [7, 1])
    }

    @Test func survivesAnEncodeDecodeRoundTrip() throws {
        let encoded = try JSONEncoder().encode(calendar)
        #expect(try ForumCalendar.load(from: encoded) == calendar)
    }
}
