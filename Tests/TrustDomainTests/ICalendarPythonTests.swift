import Foundation
import Testing

@testable import TrustDomain

/// The python `icalendar` package resolves TZID=Europe/London with its own zone database, so
/// these check that our local times mean the instants people expect either side of BST.
@Suite struct ICalendarPythonTests {
    static let script = #"""
        import sys, json, datetime, icalendar
        cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
        ev = cal.walk("VEVENT")[0]
        utc = datetime.timezone.utc
        print(json.dumps({
            "method": str(cal["METHOD"]),
            "tz": ",".join(str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")),
            "start_utc": ev["DTSTART"].dt.astimezone(utc).strftime("%Y-%m-%d %H:%M"),
            "end_utc": ev["DTEND"].dt.astimezone(utc).strftime("%Y-%m-%d %H:%M"),
            "summary": str(ev["SUMMARY"]),
            "description": str(ev["DESCRIPTION"]),
            "location": str(ev["LOCATION"]),
            "organizer": str(ev["ORGANIZER"]),
            "organizer_cn": str(ev["ORGANIZER"].params["CN"]),
            "attendee_cn": str(ev["ATTENDEE"].params["CN"]),
            "uid": str(ev["UID"]),
            "status": str(ev["STATUS"]),
        }))
        """#

    @Test(arguments: [
        (ICalendarTests.london(2021, 9, 16, 9), "2021-09-16 08:00"),
        (ICalendarTests.london(2022, 5, 19, 9), "2022-05-19 08:00"),
        (ICalendarTests.london(2022, 1, 20, 9), "2022-01-20 09:00"),
    ])
    func londonTimesConvertToTheRightUTC(start: ICalendar.LondonDateTime, utc: String) throws {
        let calendar = ICalendar(method: .request, events: [ICalendarTests.event(start: start)])
        let parsed = try PythonParser.run(Self.script, input: calendar.bytes())
        #expect(parsed["start_utc"] == utc)
        #expect(parsed["method"] == "REQUEST")
        #expect(parsed["tz"] == "Europe/London")
        #expect(parsed["status"] == "CONFIRMED")
        #expect(parsed["uid"] == "forum-curriculum-\(start)@focus-trust.local")
    }

    @Test func escapedAndFoldedTextRoundTrips() throws {
        let description = String(repeating: "Agenda; KS2 writing, moderation — Café ‘Lyndhurst’ 😀\n", count: 6)
        let summary = "Governors’ Forum, spring; " + String(repeating: "é", count: 60)
        let calendar = ICalendar(method: .cancel, events: [
            ICalendarTests.event(start: ICalendarTests.london(2022, 3, 27, 9), description: description,
                                 summary: summary),
        ])
        let parsed = try PythonParser.run(Self.script, input: calendar.bytes())
        #expect(parsed["description"] == description)
        #expect(parsed["summary"] == summary)
        #expect(parsed["location"] == "Lyndhurst Primary, Hall 2")
        #expect(parsed["organizer"] == "mailto:forums@focus-trust.local")
        #expect(parsed["organizer_cn"] == "Focus 'Trust' Forums")
        #expect(parsed["attendee_cn"] == "Zoë Brontë")
        #expect(parsed["status"] == "CANCELLED")
        // 27 March 2022 is the day the clocks go forward: 09:00 is already BST.
        #expect(parsed["start_utc"] == "2022-03-27 08:00")
        #expect(parsed["end_utc"] == "2022-03-27 09:30")
    }
}
