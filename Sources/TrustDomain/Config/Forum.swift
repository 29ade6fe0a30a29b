import Foundation

/// A recurring trust forum, programme or training series: what it is for and who is invited,
/// stated once, with each dated session underneath. Reminders and the `forums list` command
/// read from here, so the seed's "Why" and "Content" text travels with the dates.
public struct Forum: Codable, Sendable, Equatable, Identifiable {
    public let id: String
    public let title: String
    /// The roles invited unless an occurrence says otherwise. For a forum open by enrolment,
    /// who it is meant for (shown to people), while only the enrolled are invited.
    public let audience: [Role]
    /// `true`: invited are exactly the people listed for it in `enrolments.csv`.
    public let enrolment: Bool?
    /// The seed's own wording of who attends, which can be subtler than the role list
    /// ("Heads deputies and, on occasions, other staff").
    public let who: String?
    public let why: String?
    public let content: String?
    public let ledBy: String?
    /// Days before each occurrence to send reminders, overriding the calendar's default where
    /// that default does not fit (weekly sessions need no week-ahead reminder).
    public let leadDays: [Int]?
    /// Where the series usually meets, and the Teams link a virtual series reuses; an
    /// occurrence may override either. Optional because the published calendar gives neither.
    public let location: String?
    public let onlineURL: String?
    public let occurrences: [ForumOccurrence]

    public var isByEnrolment: Bool { enrolment == true }

    /// An occurrence may narrow the invitation (one year group's IPOPs day); otherwise the
    /// forum's audience applies.
    public func audience(for occurrence: ForumOccurrence) -> [Role] {
        occurrence.audience ?? audience
    }

    enum CodingKeys: String, CodingKey {
        case id, title, audience, enrolment, who, why, content, occurrences, location
        case ledBy = "led_by"
        case leadDays = "lead_days"
        case onlineURL = "online_url"
    }
}

/// One dated session of a forum, in local wall-clock time, because that is how the trust
/// publishes it and how people diarise it; instants are derived, never stored.
public struct ForumOccurrence: Codable, Sendable, Equatable, Identifiable {
    /// Stable id, carried by reminder and calendar-update messages.
    public let id: String
    public let date: CalendarDate
    public let start: ClockTime
    public let end: ClockTime
    public let mode: ForumMode
    /// Distinguishes sessions of a series that share a forum, e.g. "am"/"pm" or "Y6".
    public let session: String?
    /// The theme of this session when a series changes theme over the year.
    public let topic: String?
    /// Overrides the forum's audience for this session only.
    public let audience: [Role]?
    /// Limits the session to academies in these areas; absent means every academy.
    public let regions: [Region]?
    public let note: String?
    /// This session's venue or Teams link, where it differs from the forum's.
    public let location: String?
    public let onlineURL: String?

    enum CodingKeys: String, CodingKey {
        case id, date, start, end, mode, session, topic, audience, regions, note, location
        case onlineURL = "online_url"
    }

    /// Start and end as instants. Wall-clock times are resolved in the calendar's zone on the
    /// day itself, so British Summer Time is applied exactly when it was in force.
    public func interval(in timeZone: TimeZone) -> DateInterval {
        let startInstant = date.instant(at: start, in: timeZone)
        let endInstant = date.instant(at: end, in: timeZone)
        // Validation guarantees start < end on the clock; only a session straddling the
        // spring-forward hour could invert, and DateInterval traps on an inverted interval.
        return DateInterval(start: startInstant, end: max(startInstant, endInstant))
    }
}

/// Whether people travel. Virtual sessions need a link rather than cover for travel time, so
/// reminders word them differently.
public enum ForumMode: String, CaseIterable, Sendable, ConfigVocabulary {
    case inPerson = "in-person"
    case virtual

    static let vocabularyName = "mode"
    public init(from decoder: any Decoder) throws { self = try Self.decodeCase(from: decoder) }
}
