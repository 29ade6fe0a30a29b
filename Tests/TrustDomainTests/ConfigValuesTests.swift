import Foundation
import Testing

import TrustDomain

@Suite("Config dates and times")
struct ConfigValuesTests {
    @Test(arguments: ["2021-09-16", "2024-02-29", "2000-02-29", "2022-12-31"])
    func realDatesParseAndPrintBack(text: String) {
        #expect(CalendarDate(text)?.description == text)
    }

    @Test(arguments: [
        "2021-02-30", "2022-02-29", "1900-02-29", "2021-04-31", "2021-13-01", "2021-00-10",
        "2021-9-16", "21-09-16", "2021/09/16", "2021-09-16T09:00", " 2021-09-16", "",
    ])
    func impossibleOrLooseDatesAreRefused(text: String) {
        #expect(CalendarDate(text) == nil)
    }

    @Test func timesAreStrictTwentyFourHourHHMM() throws {
        #expect(ClockTime("00:00")?.description == "00:00")
        #expect(ClockTime("23:59")?.description == "23:59")
        for bad in ["24:00", "12:60", "9:30", "09:30:00", "09.30", "9am", ""] {
            #expect(ClockTime(bad) == nil, "\(bad)")
        }
        #expect(try #require(ClockTime("09:30")) < #require(ClockTime("10:00")))
    }

    @Test func monthsAreYYYYMM() {
        #expect(YearMonth("2018-10")?.description == "2018-10")
        #expect(YearMonth("2018-1") == nil)
        #expect(YearMonth("2018-13") == nil)
    }

    /// 31 October 2021 is the autumn change day itself: clocks went back at 02:00, so 09:00
    /// that morning is already GMT, while the day before is still BST.
    @Test func instantsFollowLondonClocksOnTheChangeDay() throws {
        let london = try #require(TimeZone(identifier: "Europe/London"))
        let nine = try #require(ClockTime("09:00"))
        let saturday = try #require(CalendarDate("2021-10-30"))
        let sunday = try #require(CalendarDate("2021-10-31"))
        let bst = try Date("2021-10-30T08:00:00Z", strategy: .iso8601)
        let gmt = try Date("2021-10-31T09:00:00Z", strategy: .iso8601)
        #expect(saturday.instant(at: nine, in: london) == bst)
        #expect(sunday.instant(at: nine, in: london) == gmt)
    }
}
