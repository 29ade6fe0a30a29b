import Foundation

/// One forum occurrence as a VEVENT.
///
/// `uid` and `sequence` are what make updates work: every message about the same occurrence
/// must carry the same UID, and each change (moved, cancelled) a higher SEQUENCE, or
/// calendar clients add a second event instead of updating the first.
public struct ICalendarEvent: Sendable, Equatable {
    /// Stable per occurrence, e.g. `forum-curriculum-2021-09-16@focus-trust.local`.
    public let uid: String
    public let sequence: Int
    /// When this version of the event was created (DTSTAMP, written in UTC).
    public let stamp: Date
    public let start: ICalendar.LondonDateTime
    public let end: ICalendar.LondonDateTime
    public let summary: String
    public let description: String
    public let location: String
    /// The Teams join link: Outlook and Teams show a Join button from
    /// X-MICROSOFT-SKYPETEAMSMEETINGURL, other clients read it in the description.
    public let onlineURL: String?
    public let organizer: MailAddress
    public let attendees: [MailAddress]

    /// An end before the start is clamped to a zero-length event, and a negative sequence
    /// to 0, because clients drop an invalid VEVENT without telling anyone.
    public init(uid: String, sequence: Int = 0, stamp: Date, start: ICalendar.LondonDateTime,
                end: ICalendar.LondonDateTime, summary: String, description: String = "",
                location: String = "", onlineURL: String? = nil, organizer: MailAddress,
                attendees: [MailAddress] = []) {
        self.uid = uid
        self.sequence = max(0, sequence)
        self.stamp = stamp
        self.start = start
        self.end = max(start, end)
        self.summary = summary
        self.description = description
        self.location = location
        self.onlineURL = onlineURL
        self.organizer = organizer
        self.attendees = attendees
    }

    /// STATUS follows the method, so a cancellation can never be sent as CONFIRMED.
    /// Attendees get RSVP=FALSE: a thousand acceptances would bury the organiser's questions.
    /// Outlook's own properties: BUSYSTATUS shows the time as busy (free once cancelled), and
    /// DISALLOW-COUNTER stops "propose new time", which no one would act on.
    func contentLines(method: ICalendar.Method) -> [String] {
        let tz = "TZID=\(ICalendar.timeZoneID)"
        var lines = [
            "BEGIN:VEVENT",
            "UID:\(ICalendarText.escapedLine(uid))",
            "SEQUENCE:\(sequence)",
            "DTSTAMP:\(UTCDateFields(stamp).iCalendarUTC)",
            "DTSTART;\(tz):\(start)",
            "DTEND;\(tz):\(end)",
            "SUMMARY:\(ICalendarText.escapedLine(summary))",
        ]
        if !description.isEmpty { lines.append("DESCRIPTION:\(ICalendarText.escaped(description))") }
        if !location.isEmpty { lines.append("LOCATION:\(ICalendarText.escapedLine(location))") }
        lines.append("ORGANIZER\(Self.commonName(organizer)):mailto:\(organizer.address)")
        lines += attendees.map {
            "ATTENDEE\(Self.commonName($0));ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE"
                + ":mailto:\($0.address)"
        }
        if let onlineURL { lines.append("X-MICROSOFT-SKYPETEAMSMEETINGURL:\(ICalendarText.escapedLine(onlineURL))") }
        lines += [
            "STATUS:\(method == .cancel ? "CANCELLED" : "CONFIRMED")",
            "TRANSP:\(method == .cancel ? "TRANSPARENT" : "OPAQUE")",
            "X-MICROSOFT-CDO-BUSYSTATUS:\(method == .cancel ? "FREE" : "BUSY")",
            "X-MICROSOFT-CDO-INTENDEDSTATUS:\(method == .cancel ? "FREE" : "BUSY")",
            "X-MICROSOFT-DISALLOW-COUNTER:TRUE",
            "END:VEVENT",
        ]
        return lines
    }

    private static func commonName(_ person: MailAddress) -> String {
        person.displayName.isEmpty ? "" : ";CN=\(ICalendarText.quotedParameter(person.displayName))"
    }
}
