import Foundation

/// `Config/forums.json`: the year's forums and CPD sessions, one entry per dated occurrence,
/// checked on load so the reminder planner never meets an impossible date or an audience of
/// nobody.
public struct ForumCalendar: Codable, Sendable, Equatable, ConfigDocument {
    public static let fileName = "forums.json"

    /// The zone the file's dates and times are written in; Europe/London for this trust.
    public let timeZone: TimeZone
    /// The times used where the source gave none, kept in the file so whoever adds a session
    /// follows the same convention.
    public let defaultTimes: DefaultTimes
    /// Days before an occurrence to remind its audience, for forums that do not say.
    public let defaultLeadDays: [Int]
    /// The monitored mailbox invitations come from and replies go to; nil: the built-in
    /// `forums@` role address.
    public let organiser: Organiser?
    /// How many days ahead `reminders plan` warns about a session with no venue or link.
    public let venueWarningDays: Int?
    public let forums: [Forum]

    public struct Organiser: Codable, Sendable, Equatable {
        public let name: String
        public let address: String
    }

    enum CodingKeys: String, CodingKey {
        case timeZone = "timezone"
        case defaultTimes = "default_times"
        case defaultLeadDays = "default_lead_days"
        case organiser
        case venueWarningDays = "venue_warning_days"
        case forums
    }

    public static func load(from data: Data, file: String = fileName) throws(ConfigError)
        -> ForumCalendar
    {
        try loadDocument(from: data, file: file)
    }

    public static func load(contentsOf url: URL) throws(ConfigError) -> ForumCalendar {
        try loadDocument(contentsOf: url)
    }

    public func forum(id: String) -> Forum? {
        forums.first { $0.id == id }
    }

    /// Looks an occurrence up by the id that reminder and calendar-update messages carry.
    public func occurrence(id: String) -> ScheduledOccurrence? {
        scheduled { $0.id == id }.first
    }

    /// Every occurrence in time order, each with its forum, resolved audience and instants.
    public var schedule: [ScheduledOccurrence] {
        scheduled { _ in true }
    }

    /// Occurrences whose local date falls in `dates` (both ends included), in time order.
    public func occurrences(in dates: ClosedRange<CalendarDate>) -> [ScheduledOccurrence] {
        scheduled { dates.contains($0.date) }
    }

    private func scheduled(where include: (ForumOccurrence) -> Bool) -> [ScheduledOccurrence] {
        forums.flatMap { forum in
            forum.occurrences.filter(include).map { occurrence in
                ScheduledOccurrence(forum: forum, occurrence: occurrence,
                                    interval: occurrence.interval(in: timeZone),
                                    audience: forum.audience(for: occurrence),
                                    leadDays: forum.leadDays ?? defaultLeadDays)
            }
        }
        .sorted { ($0.interval.start, $0.occurrence.id) < ($1.interval.start, $1.occurrence.id) }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        timeZone = try container.decodeTimeZone(forKey: .timeZone)
        defaultTimes = try container.decode(DefaultTimes.self, forKey: .defaultTimes)
        defaultLeadDays = try container.decode([Int].self, forKey: .defaultLeadDays)
        organiser = try container.decodeIfPresent(Organiser.self, forKey: .organiser)
        venueWarningDays = try container.decodeIfPresent(Int.self, forKey: .venueWarningDays)
        forums = try container.decode([Forum].self, forKey: .forums)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(timeZone.identifier, forKey: .timeZone)
        try container.encode(defaultTimes, forKey: .defaultTimes)
        try container.encode(defaultLeadDays, forKey: .defaultLeadDays)
        try container.encodeIfPresent(organiser, forKey: .organiser)
        try container.encodeIfPresent(venueWarningDays, forKey: .venueWarningDays)
        try container.encode(forums, forKey: .forums)
    }

    func validate(_ check: ConfigValidator) throws(ConfigError) {
        for (name, slot) in defaultTimes.slots {
            try check.span(slot.start, slot.end, entry: nil, endField: "default_times.\(name).end")
        }
        try check.leadDays(defaultLeadDays, entry: nil, field: "default_lead_days")
        if let days = venueWarningDays {
            try check.require((0...92).contains(days), entry: nil, field: "venue_warning_days", value: days,
                              "is not a number of days from 0 to 92")
        }
        if let organiser { try check.notBlank(organiser.name, entry: nil, field: "organiser.name") }
        var forumIDs: [String: String] = [:]
        var occurrenceIDs: [String: String] = [:]
        for (index, forum) in forums.enumerated() {
            let position = ConfigEntry.numbered("forum", index)
            try check.slug(forum.id, entry: position)
            try check.unique(forum.id, entry: position, seen: &forumIDs)
            let entry = ConfigEntry.named("forum", forum.id)
            try check.notBlank(forum.title, entry: entry, field: "title")
            try check.audience(forum.audience, entry: entry)
            if let days = forum.leadDays {
                try check.leadDays(days, entry: entry, field: "lead_days")
            }
            for (number, occurrence) in forum.occurrences.enumerated() {
                let occurrenceEntry = entry + " " + ConfigEntry.numbered("occurrence", number)
                try validate(occurrence, entry: occurrenceEntry, check, ids: &occurrenceIDs)
            }
        }
    }

    private func validate(_ occurrence: ForumOccurrence, entry: String, _ check: ConfigValidator,
                          ids: inout [String: String]) throws(ConfigError)
    {
        try check.slug(occurrence.id, entry: entry)
        // Unique across the whole file, not per forum: messages name an occurrence by id alone.
        try check.unique(occurrence.id, entry: entry, seen: &ids)
        try check.span(occurrence.start, occurrence.end, entry: entry, endField: "end")
        if let audience = occurrence.audience {
            try check.audience(audience, entry: entry)
        }
        if let regions = occurrence.regions {
            try check.require(!regions.isEmpty, entry: entry, field: "regions", value: [String](),
                              "lists no regions (leave it out to include every academy)")
        }
    }
}

/// The file's conventions for sessions whose source states no times. Recorded as data rather
/// than in a comment so a tool adding a session can apply them and a test can hold the file to
/// them.
public struct DefaultTimes: Codable, Sendable, Equatable {
    /// "Full day" / "All day".
    public let fullDay: TimeSlot
    /// "0.5 day" with no time, or a morning session.
    public let halfDayAM: TimeSlot
    /// An afternoon half day.
    public let halfDayPM: TimeSlot
    /// No length stated at all.
    public let unstated: TimeSlot

    /// Each slot with its JSON name, so validation can say which one is wrong.
    var slots: [(name: String, slot: TimeSlot)] {
        [("full_day", fullDay), ("half_day_am", halfDayAM), ("half_day_pm", halfDayPM),
         ("unstated", unstated)]
    }

    enum CodingKeys: String, CodingKey {
        case fullDay = "full_day"
        case halfDayAM = "half_day_am"
        case halfDayPM = "half_day_pm"
        case unstated
    }
}

/// A start and end on the wall clock, without a date.
public struct TimeSlot: Codable, Sendable, Equatable {
    public let start: ClockTime
    public let end: ClockTime

    public init(start: ClockTime, end: ClockTime) {
        self.start = start
        self.end = end
    }
}

/// An occurrence together with everything a reminder needs to act on it, resolved once: the
/// forum it belongs to, who is invited after any override, when to remind, and the instants.
public struct ScheduledOccurrence: Sendable, Equatable {
    public let forum: Forum
    public let occurrence: ForumOccurrence
    /// Start and end as instants (store and compare them in UTC; show them in Europe/London).
    public let interval: DateInterval
    public let audience: [Role]
    public let leadDays: [Int]
}
