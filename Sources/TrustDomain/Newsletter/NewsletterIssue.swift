import Foundation

/// Where the current data drop stands, for the issue's status box. A plain value so the
/// assembler does not depend on how data drops are stored.
public struct DataDropStatusSummary: Codable, Sendable, Equatable {
    /// `2021-22/autumn`.
    public let dropID: String
    public let submitted: Int
    public let expected: Int
    public let lastUpdated: Date?
    /// What else readers must know, e.g. that an academy's later file was refused.
    public let note: String?

    public init(dropID: String, submitted: Int, expected: Int, lastUpdated: Date?, note: String? = nil) {
        self.dropID = dropID
        self.submitted = submitted
        self.expected = expected
        self.lastUpdated = lastUpdated
        self.note = note
    }

    /// The sentence FAcT prints, in words the Board report and `drop status` also use.
    public var line: String {
        var line = "\(submitted) of \(expected) academies have data in use"
        if let lastUpdated {
            line += "; last updated \(IssueCalendar.long(IssueCalendar.day(of: lastUpdated, in: TimeZone(identifier: "Europe/London")!)))"
        }
        if let note { line += "; \(note)" }
        return line + "."
    }
}

/// The "you said" box: a survey's strongest and weakest statements by % agree, already
/// computed (and anonymity-checked) by the survey area.
public struct YouSaidSummary: Codable, Sendable, Equatable {
    public struct Statement: Codable, Sendable, Equatable {
        public let text: String
        /// 0 to 100.
        public let percentAgree: Double

        public init(text: String, percentAgree: Double) {
            self.text = text
            self.percentAgree = percentAgree
        }
    }

    public let surveyTitle: String
    public let strongest: [Statement]
    public let weakest: [Statement]

    public init(surveyTitle: String, strongest: [Statement], weakest: [Statement]) {
        self.surveyTitle = surveyTitle
        self.strongest = strongest
        self.weakest = weakest
    }
}

/// One assembled FAcT issue: everything needed to render it for any reader, self-contained so
/// an archived issue renders the same after the config or the forum calendar changes.
public struct NewsletterIssue: Codable, Sendable, Equatable {
    /// One category's items, under the category's title at assembly time.
    public struct Section: Codable, Sendable, Equatable {
        public let categoryID: String
        public let title: String
        public let items: [Entry]
    }

    /// An item as published: the academy is resolved to its name so the archive does not
    /// depend on later edits to `academies.json`.
    public struct Entry: Codable, Sendable, Equatable {
        public let title: String
        /// Markup source; rendered when the issue is.
        public let body: String
        public let author: String
        /// The academy's short name, when the item is about one academy.
        public let academy: String?
        /// The day the item is about, when it has one.
        public let eventDate: CalendarDate?
    }

    /// The section of items whose day had passed by the issue date: reported as news that
    /// happened, never announced as coming up. Always first.
    public static let sinceLastIssueID = "since-last-issue"
    public static let sinceLastIssueTitle = "Since the last issue"

    /// A date from the term calendar everyone shares: a half term, the end of a term, a bank
    /// holiday, a trust INSET day.
    public struct KeyDate: Codable, Sendable, Equatable {
        public let date: CalendarDate
        public let title: String
    }

    /// A forum session with what personalisation needs: who is invited and where.
    public struct DiaryEntry: Codable, Sendable, Equatable {
        public let occurrenceID: String
        public let date: CalendarDate
        public let start: ClockTime
        public let end: ClockTime
        public let title: String
        public let virtual: Bool
        /// "am", "Y6", a theme: whatever tells this session apart from the forum's others.
        public let detail: String?
        public let audience: [Role]
        public let regions: [Region]?
        /// For a forum open by enrolment, the lower-cased addresses enrolled: only they are
        /// invited, whatever their roles.
        public let enrolled: [String]?
        /// Every staff role is invited (INSET): on every colleague's diary.
        public let allStaff: Bool?
        /// The times are forums.json's convention for a session published without times.
        public let timesToBeConfirmed: Bool?
    }

    /// The newsletter's name from config ("FAcT").
    public let name: String
    public let number: Int
    public let date: CalendarDate
    public let sections: [Section]
    public let diary: [DiaryEntry]
    /// The term calendar's dates in the diary's window, shown to every reader.
    public let keyDates: [KeyDate]?
    /// The archived copy's address for "view in browser", when configured.
    public let archiveURL: String?
    public let dataDrop: DataDropStatusSummary?
    public let youSaid: YouSaidSummary?

    public var itemCount: Int { sections.reduce(0) { $0 + $1.items.count } }

    /// "FAcT 12 — 24 September 2021". Built only from the number and date, never from item
    /// text, so nothing a contributor types can reach a mail header.
    public var subject: String { "\(name) \(number) — \(IssueCalendar.long(date))" }

    /// `FAcT-12-2021-09-24.html`.
    public var archiveFileName: String { "\(name)-\(number)-\(date).html" }

    func withArchiveURL(_ url: String?) -> NewsletterIssue {
        NewsletterIssue(name: name, number: number, date: date, sections: sections, diary: diary, keyDates: keyDates,
                        archiveURL: url, dataDrop: dataDrop, youSaid: youSaid)
    }

    /// Stable JSON for storage: ISO-8601 instants, sorted keys.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(self) else { preconditionFailure("an issue always encodes") }
        return Array(data)
    }

    public static func decode(_ bytes: [UInt8]) throws -> NewsletterIssue {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(NewsletterIssue.self, from: Data(bytes))
    }
}

/// Builds an issue from stored items and the trust's calendar. Pure: the caller reads the
/// items, the drop status and the survey summary, so this can be tested with plain values.
public struct NewsletterAssembler: Sendable {
    public let config: NewsletterConfig
    public let academies: AcademyCatalog
    public let forums: ForumCalendar
    /// The term calendar, for the diary's key dates; nil: none.
    public let terms: TermCalendar?

    public init(config: NewsletterConfig, academies: AcademyCatalog, forums: ForumCalendar, terms: TermCalendar? = nil) {
        self.config = config
        self.academies = academies
        self.forums = forums
        self.terms = terms
    }

    /// Roles every colleague holds one of; an audience with all of them is "all staff".
    static let staffRoles = Set(Role.allCases).subtracting([.governor])

    /// Items are grouped under the config's categories in the config's order, keeping arrival
    /// order within a category; an item whose category has since been removed from the config
    /// still appears, under its id, after the rest. The diary lists forum sessions from the
    /// issue date through the day before the next issue would cover them.
    ///
    /// Items whose `eventDate` is before the issue date go to "Since the last issue" instead of
    /// their category. The diary carries who each session invites (roles, regions, or the
    /// enrolled addresses) so each reader's copy lists their own sessions, and the term
    /// calendar's key dates in the same window.
    public func assemble(number: Int, date: CalendarDate, items: [NewsletterItem],
                         dataDrop: DataDropStatusSummary? = nil, youSaid: YouSaidSummary? = nil,
                         enrolments: Enrolments = Enrolments()) -> NewsletterIssue {
        func entry(_ item: NewsletterItem) -> NewsletterIssue.Entry {
            NewsletterIssue.Entry(title: item.title, body: item.body, author: item.author,
                                  academy: item.academy.map { academies.academy($0)?.shortName ?? $0.rawValue },
                                  eventDate: item.eventDate)
        }
        let past = items.filter { $0.eventDate.map { $0 < date } ?? false }
        let coming = items.filter { !($0.eventDate.map { $0 < date } ?? false) }
        let grouped = Dictionary(grouping: coming, by: \.category)
        let known = config.categories.map { ($0.id, $0.title) }
        let leftovers = grouped.keys.filter { config.category($0) == nil }.sorted().map { ($0, $0) }
        let sections = (known + leftovers).compactMap { id, title -> NewsletterIssue.Section? in
            guard let items = grouped[id], !items.isEmpty else { return nil }
            return NewsletterIssue.Section(categoryID: id, title: title, items: items.map(entry))
        }
        let since = past.isEmpty ? [] : [NewsletterIssue.Section(categoryID: NewsletterIssue.sinceLastIssueID,
                                                                 title: NewsletterIssue.sinceLastIssueTitle,
                                                                 items: past.map(entry))]
        let last = IssueCalendar.adding(config.diaryDays - 1, to: date)
        let diary = forums.occurrences(in: date...last).map { scheduled in
            let o = scheduled.occurrence
            let detail = [o.session, o.topic].compactMap { $0 }.joined(separator: ", ")
            return NewsletterIssue.DiaryEntry(
                occurrenceID: o.id, date: o.date, start: o.start, end: o.end, title: scheduled.forum.title,
                virtual: o.mode == .virtual, detail: detail.isEmpty ? nil : detail,
                audience: scheduled.audience, regions: o.regions,
                enrolled: scheduled.forum.isByEnrolment ? enrolments.enrolled(in: scheduled.forum.id).sorted() : nil,
                allStaff: Self.staffRoles.isSubset(of: scheduled.audience) ? true : nil,
                timesToBeConfirmed: ReminderMail.timesToBeConfirmed(
                    OccurrenceChange.Slot(date: o.date, start: o.start, end: o.end), defaults: forums.defaultTimes) ? true : nil)
        }
        return NewsletterIssue(name: config.title, number: number, date: date, sections: since + sections, diary: diary,
                               keyDates: terms.map { keyDates(in: date...last, $0) }, archiveURL: nil,
                               dataDrop: dataDrop, youSaid: youSaid)
        .withArchiveURL(config.archiveURL(for: "\(config.title)-\(number)-\(date).html"))
    }

    /// Trust-wide dates in `window`: term starts and ends, half terms, bank holidays and the
    /// trust's INSET days (an area's own dates differ and are left to its academies).
    func keyDates(in window: ClosedRange<CalendarDate>, _ terms: TermCalendar) -> [NewsletterIssue.KeyDate] {
        var dates: [NewsletterIssue.KeyDate] = []
        for term in terms.terms {
            dates.append(.init(date: term.start, title: "\(term.name) term begins"))
            if let half = term.halfTerm {
                dates.append(.init(date: half.start, title: "\(term.name) half term, until \(IssueCalendar.weekdayAndDay(half.end))"))
            }
            dates.append(.init(date: term.end, title: "\(term.name) term ends"))
        }
        dates += terms.bankHolidays.map { .init(date: $0.date, title: "Bank holiday: \($0.name)") }
        dates += terms.insetDays.map { .init(date: $0.date, title: $0.name) }
        return dates.filter { window.contains($0.date) }.sorted { ($0.date, $0.title) < ($1.date, $1.title) }
    }
}
