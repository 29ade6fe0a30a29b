/// An iCalendar object (RFC 5545) carrying iTIP (RFC 5546) invitations or cancellations for
/// forum meetings.
///
/// Times are always written as Europe/London wall-clock times with a VTIMEZONE, because
/// that is how people think of a 09:00 forum: it stays at 09:00 across the clock changes,
/// which a fixed UTC time would not.
public struct ICalendar: Sendable, Equatable {
    /// REQUEST adds or updates an event in the recipient's calendar; CANCEL removes it.
    public enum Method: String, Sendable {
        case request = "REQUEST"
        case cancel = "CANCEL"
    }

    public static let timeZoneID = "Europe/London"

    public let method: Method
    public let events: [ICalendarEvent]
    public let productID: String

    public init(method: Method, events: [ICalendarEvent],
                productID: String = "-//Focus-Trust//Forum Calendar//EN") {
        self.method = method
        self.events = events
        self.productID = productID
    }

    /// The calendar as UTF-8 bytes with CRLF line endings and folded lines.
    public func bytes() -> [UInt8] {
        var lines = [
            "BEGIN:VCALENDAR",
            "PRODID:\(ICalendarText.escapedLine(productID))",
            "VERSION:2.0",
            "CALSCALE:GREGORIAN",
            "METHOD:\(method.rawValue)",
        ]
        lines += Self.londonTimeZone
        for event in events { lines += event.contentLines(method: method) }
        lines.append("END:VCALENDAR")
        return lines.flatMap(ICalendarText.folded)
    }

    /// The current UK rules (since 1996): BST from 01:00 UTC on the last Sunday of March,
    /// GMT from 01:00 UTC (02:00 BST) on the last Sunday of October. Each DTSTART is in the
    /// local time being left, as §3.6.5 requires.
    static let londonTimeZone = [
        "BEGIN:VTIMEZONE",
        "TZID:\(timeZoneID)",
        "BEGIN:DAYLIGHT",
        "TZOFFSETFROM:+0000",
        "TZOFFSETTO:+0100",
        "TZNAME:BST",
        "DTSTART:19700329T010000",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0000",
        "TZNAME:GMT",
        "DTSTART:19701025T020000",
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
        "END:STANDARD",
        "END:VTIMEZONE",
    ]
}

extension ICalendar {
    /// A wall-clock date and time in Europe/London, as a forum calendar states it. Kept
    /// separate from `Date` so that no UTC conversion (and no host time zone database) is
    /// involved: the calendar client applies the VTIMEZONE rules.
    public struct LondonDateTime: Sendable, Hashable, Comparable, CustomStringConvertible {
        public let year, month, day, hour, minute: Int

        /// Nil for impossible dates or times (31 June, 24:00).
        public init?(year: Int, month: Int, day: Int, hour: Int, minute: Int) {
            guard (1900...9999).contains(year), (1...12).contains(month),
                (1...UTCDateFields.daysInMonth(year: year, month: month)).contains(day),
                (0...23).contains(hour), (0...59).contains(minute)
            else { return nil }
            (self.year, self.month, self.day, self.hour, self.minute) = (year, month, day, hour, minute)
        }

        /// RFC 5545 §3.3.5 form 3 value, e.g. `20210916T090000`.
        public var description: String {
            UTCDateFields.basicDateTime(year: year, month: month, day: day, hour: hour,
                                        minute: minute, second: 0)
        }

        public static func < (a: Self, b: Self) -> Bool {
            (a.year, a.month, a.day, a.hour, a.minute) < (b.year, b.month, b.day, b.hour, b.minute)
        }
    }
}
