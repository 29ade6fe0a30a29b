import Foundation

/// `Config/terms.json`: the school year's terms, half terms, bank holidays and INSET days for
/// the trust, with the areas whose local authority sets other dates. Reminders and FAcT ask
/// one question of it: is this day a working day (a school day) there?
///
/// Rules, stated once:
/// - A **working day** at an academy is a Monday to Friday inside one of its terms, outside its
///   half terms and not a bank holiday. INSET days are working days: staff are in school, only
///   pupils are not; they are recorded so people can see them.
/// - A day is a working day **for a set of academies** when it is one at every one of them, so
///   nobody in a trust-wide audience is mailed during their own holiday.
/// - Outside the year the file covers (`from`…`to`), every Monday to Friday that is not a bank
///   holiday counts, so next September still works before its terms are added.
public struct TermCalendar: Codable, Sendable, Equatable, ConfigDocument {
    public static let fileName = "terms.json"

    /// "2021-22".
    public let year: String
    /// The first and last day the file describes (1 September to 31 August).
    public let from: CalendarDate
    public let to: CalendarDate
    /// The trust's pattern, used by every academy whose area does not replace it.
    public let terms: [Term]
    public let bankHolidays: [NamedDay]
    /// Trust-wide INSET days; an area may add its own.
    public let insetDays: [NamedDay]
    public let areas: [Area]

    public struct Term: Codable, Sendable, Equatable {
        public let name: String
        public let start: CalendarDate
        public let end: CalendarDate
        public let halfTerm: Span?

        enum CodingKeys: String, CodingKey {
            case name, start, end
            case halfTerm = "half_term"
        }

        func contains(_ day: CalendarDate) -> Bool {
            (start...end).contains(day) && !(halfTerm.map { ($0.start...$0.end).contains(day) } ?? false)
        }
    }

    public struct Span: Codable, Sendable, Equatable {
        public let start: CalendarDate
        public let end: CalendarDate
    }

    public struct NamedDay: Codable, Sendable, Equatable {
        public let date: CalendarDate
        public let name: String
    }

    /// A local authority (or group of them) whose academies keep other dates.
    public struct Area: Codable, Sendable, Equatable {
        public let id: String
        public let name: String
        public let academies: [AcademyID]
        /// Where the dates come from: the authority's published page, or a note saying they
        /// are placeholders to confirm.
        public let source: String
        /// Replaces the trust's terms for these academies when given.
        public let terms: [Term]?
        /// Added to the trust's INSET days.
        public let insetDays: [NamedDay]?

        enum CodingKeys: String, CodingKey {
            case id, name, academies, source, terms
            case insetDays = "inset_days"
        }
    }

    enum CodingKeys: String, CodingKey {
        case year, from, to, terms, areas
        case bankHolidays = "bank_holidays"
        case insetDays = "inset_days"
    }

    public static func load(from data: Data, file: String = fileName) throws(ConfigError) -> TermCalendar {
        try loadDocument(from: data, file: file)
    }

    public static func load(contentsOf url: URL) throws(ConfigError) -> TermCalendar {
        try loadDocument(contentsOf: url)
    }

    // MARK: Questions

    public func area(of academy: AcademyID) -> Area? { areas.first { $0.academies.contains(academy) } }

    public func terms(for academy: AcademyID) -> [Term] { area(of: academy)?.terms ?? terms }

    public func isBankHoliday(_ day: CalendarDate) -> Bool { bankHolidays.contains { $0.date == day } }

    public func covers(_ day: CalendarDate) -> Bool { (from...to).contains(day) }

    /// Whether `day` is a school day at `academy` (see the rules above).
    public func isWorkingDay(_ day: CalendarDate, at academy: AcademyID) -> Bool {
        guard day.weekday <= 5, !isBankHoliday(day) else { return false }
        guard covers(day) else { return true }
        return terms(for: academy).contains { $0.contains(day) }
    }

    /// A school day at every one of `academies` (the trust's own pattern when the set is empty).
    public func isWorkingDay(_ day: CalendarDate, for academies: [AcademyID]) -> Bool {
        guard !academies.isEmpty else {
            guard day.weekday <= 5, !isBankHoliday(day) else { return false }
            return !covers(day) || terms.contains { $0.contains(day) }
        }
        return academies.allSatisfy { isWorkingDay(day, at: $0) }
    }

    /// `day` itself when it is a working day for `academies`, else the latest working day
    /// before it; nil when there is none in the 120 days before (a calendar with no terms).
    public func workingDay(onOrBefore day: CalendarDate, for academies: [AcademyID]) -> CalendarDate? {
        (0...120).lazy.map { day.adding(days: -$0) }.first { isWorkingDay($0, for: academies) }
    }

    /// The INSET days that apply at `academy`: the trust's and its area's.
    public func insetDays(at academy: AcademyID) -> [NamedDay] { insetDays + (area(of: academy)?.insetDays ?? []) }

    // MARK: Checks

    /// What the file cannot check alone: every academy named in an area exists.
    public func check(against catalog: AcademyCatalog) throws(ConfigError) {
        let known = Set(catalog.academies.map(\.id))
        for area in areas {
            for academy in area.academies where !known.contains(academy) {
                throw .invalidValue(file: Self.fileName, entry: ConfigEntry.named("area", area.id), field: "academies",
                                    value: ConfigValue.text(academy.rawValue), reason: "is not an academy id in academies.json")
            }
        }
    }

    func validate(_ check: ConfigValidator) throws(ConfigError) {
        try check.notBlank(year, entry: nil, field: "year")
        try check.require(from < to && to.days(since: from) <= 366, entry: nil, field: "to", value: to.description,
                          "is not after from \"\(from)\" within a year")
        try validate(terms, entry: nil, check)
        for (field, days) in [("bank_holidays", bankHolidays), ("inset_days", insetDays)] {
            for (index, day) in days.enumerated() {
                // Named as decoding errors name them: `bank_holiday 4`.
                let entry = ConfigEntry.numbered(String(field.dropLast()), index)
                try check.notBlank(day.name, entry: entry, field: "name")
                try check.require(covers(day.date), entry: entry, field: "date", value: day.date.description,
                                  "is outside the year \(from) to \(to)")
            }
        }
        try validateInset(insetDays, terms: terms, entry: nil, check)
        var ids: [String: String] = [:]
        var placed: [AcademyID: String] = [:]
        for (index, area) in areas.enumerated() {
            try check.slug(area.id, entry: ConfigEntry.numbered("area", index))
            try check.unique(area.id, entry: ConfigEntry.numbered("area", index), seen: &ids)
            let entry = ConfigEntry.named("area", area.id)
            try check.notBlank(area.name, entry: entry, field: "name")
            try check.notBlank(area.source, entry: entry, field: "source")
            try check.require(!area.academies.isEmpty, entry: entry, field: "academies", value: [String](),
                              "lists no academies")
            for academy in area.academies {
                if let other = placed[academy] {
                    throw .invalidValue(file: Self.fileName, entry: entry, field: "academies",
                                        value: ConfigValue.text(academy.rawValue), reason: "is already in \(other)")
                }
                placed[academy] = entry
            }
            if let own = area.terms { try validate(own, entry: entry, check) }
            if let inset = area.insetDays { try validateInset(inset, terms: area.terms ?? terms, entry: entry, check) }
        }
    }

    /// Terms in order, each inside the year, its half term inside it.
    private func validate(_ terms: [Term], entry: String?, _ check: ConfigValidator) throws(ConfigError) {
        let prefix = entry.map { $0 + " " } ?? ""
        try check.require(!terms.isEmpty, entry: entry, field: "terms", value: [String](), "lists no terms")
        var previousEnd: CalendarDate?
        for (index, term) in terms.enumerated() {
            let here = prefix + ConfigEntry.numbered("term", index)
            try check.notBlank(term.name, entry: here, field: "name")
            try check.require(covers(term.start), entry: here, field: "start", value: term.start.description,
                              "is outside the year \(from) to \(to)")
            try check.require(term.start <= term.end && covers(term.end), entry: here, field: "end",
                              value: term.end.description, "is not between start \"\(term.start)\" and \(to)")
            if let previousEnd {
                try check.require(term.start > previousEnd, entry: here, field: "start", value: term.start.description,
                                  "is not after the previous term's end \"\(previousEnd)\"")
            }
            if let half = term.halfTerm {
                try check.require(half.start > term.start && half.start <= half.end && half.end < term.end,
                                  entry: here, field: "half_term", value: "\(half.start)…\(half.end)",
                                  "is not inside the term \(term.start) to \(term.end)")
            }
            previousEnd = term.end
        }
    }

    /// An INSET day is a school day without pupils, so it must fall on a term-time weekday.
    private func validateInset(_ days: [NamedDay], terms: [Term], entry: String?, _ check: ConfigValidator)
        throws(ConfigError)
    {
        for (index, day) in days.enumerated() {
            let here = (entry.map { $0 + " " } ?? "") + ConfigEntry.numbered("inset_day", index)
            try check.require(day.date.weekday <= 5 && terms.contains { $0.contains(day.date) } && !isBankHoliday(day.date),
                              entry: here, field: "date", value: day.date.description,
                              "is not a term-time weekday (an INSET day is a school day without pupils)")
        }
    }
}
