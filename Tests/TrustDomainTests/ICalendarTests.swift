import Foundation
import Testing

@testable import TrustDomain

@Suite struct ICalendarTests {
    static func london(_ y: Int, _ m: Int, _ d: Int, _ h: Int, _ min: Int = 0) -> ICalendar.LondonDateTime {
        ICalendar.LondonDateTime(year: y, month: m, day: d, hour: h, minute: min)!
    }

    static func event(start: ICalendar.LondonDateTime, description: String = "Agenda: KS2 writing; moderation, notes\nBring data",
                      summary: String = "Curriculum Forum — Café ‘Lyndhurst’") -> ICalendarEvent {
        ICalendarEvent(
            uid: "forum-curriculum-\(start)@focus-trust.local", sequence: 1,
            stamp: Date(timeIntervalSince1970: 1_630_000_000), start: start,
            end: london(start.year, start.month, start.day, start.hour + 1, 30),
            summary: summary, description: description, location: "Lyndhurst Primary, Hall 2",
            organizer: try! MailAddress("forums@focus-trust.local", displayName: "Focus \"Trust\" Forums"),
            attendees: [try! MailAddress("zoe.bronte@focus-trust.local", displayName: "Zoë Brontë")])
    }

    static func forumInvite(method: ICalendar.Method = .request) -> ICalendar {
        ICalendar(method: method, events: [event(start: london(2021, 9, 16, 9))])
    }

    static func lines(_ calendar: ICalendar) -> [String] {
        String(decoding: calendar.bytes(), as: UTF8.self).components(separatedBy: "\r\n")
    }

    @Test func textEscapingCoversBackslashSemicolonCommaAndEveryLineBreak() {
        #expect(ICalendarText.escaped("a\\b;c,d\r\ne\nf\rg\u{7}h\ti")
            == #"a\\b\;c\,d\ne\nf\ng h"# + "\ti")
        #expect(ICalendarText.escapedLine("one\r\ntwo") == "one two")
    }

    @Test func foldingCountsOctetsAndNeverSplitsACharacter() throws {
        let value = String(repeating: "€é😀a", count: 40)
        let line = "DESCRIPTION:" + value
        let folded = ICalendarText.folded(line)
        let physical = String(decoding: folded, as: UTF8.self).components(separatedBy: "\r\n").dropLast()
        #expect(physical.count > 5)
        var rebuilt = ""
        for (index, part) in physical.enumerated() {
            #expect(part.utf8.count <= 75)
            #expect(index == 0 || part.hasPrefix(" "))
            rebuilt += index == 0 ? part : String(part.dropFirst())
        }
        #expect(rebuilt == line)
        // Each physical line is valid UTF-8 by itself.
        var start = 0
        for (index, byte) in folded.enumerated() where byte == 0x0A {
            #expect(String(validating: folded[start..<index], as: UTF8.self) != nil)
            start = index + 1
        }
        #expect(ICalendarText.folded(String(repeating: "x", count: 75)).count == 77)
    }

    @Test func calendarHasTimeZoneMethodAndLocalTimes() {
        let lines = Self.lines(Self.forumInvite())
        #expect(lines.first == "BEGIN:VCALENDAR")
        #expect(lines.suffix(2) == ["END:VCALENDAR", ""])
        for expected in ["VERSION:2.0", "METHOD:REQUEST", "TZID:Europe/London",
                         "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "DTSTART;TZID=Europe/London:20210916T090000",
                         "DTEND;TZID=Europe/London:20210916T103000", "DTSTAMP:20210826T174640Z",
                         "STATUS:CONFIRMED", "SEQUENCE:1", "LOCATION:Lyndhurst Primary\\, Hall 2",
                         "ORGANIZER;CN=\"Focus 'Trust' Forums\":mailto:forums@focus-trust.local"] {
            #expect(lines.contains(expected), "\(expected)")
        }
        #expect(!String(decoding: Self.forumInvite().bytes(), as: UTF8.self)
            .replacingOccurrences(of: "\r\n", with: "").contains("\n"))
    }

    @Test func cancellationIsAlwaysMarkedCancelled() {
        let lines = Self.lines(Self.forumInvite(method: .cancel))
        #expect(lines.contains("METHOD:CANCEL"))
        #expect(lines.contains("STATUS:CANCELLED"))
        #expect(!lines.contains("STATUS:CONFIRMED"))
    }

    @Test func impossibleLondonTimesAreRejected() {
        #expect(ICalendar.LondonDateTime(year: 2022, month: 2, day: 29, hour: 9, minute: 0) == nil)
        #expect(ICalendar.LondonDateTime(year: 2024, month: 2, day: 29, hour: 9, minute: 0) != nil)
        #expect(ICalendar.LondonDateTime(year: 2021, month: 6, day: 31, hour: 9, minute: 0) == nil)
        #expect(ICalendar.LondonDateTime(year: 2021, month: 6, day: 1, hour: 24, minute: 0) == nil)
    }
}
