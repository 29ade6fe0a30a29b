import Foundation

/// `Config/drops.json`: the data drops the trust collects, each with its window, the academies'
/// deadline and the Trust Board meeting its report serves. Every drop id a person or a message
/// names is checked against it, so a typo is refused instead of becoming a drop of its own.
public struct DropCalendar: Codable, Sendable, Equatable, ConfigDocument {
    public static let fileName = "drops.json"

    /// The zone the dates are written in (Europe/London).
    public let timeZone: TimeZone
    /// The local time of day the calendar's e-mails fall due (reminders, chasers, the report).
    public let sendTime: ClockTime
    /// Working days (Monday to Friday) before the deadline that academies without accepted
    /// data are reminded.
    public let reminderWorkingDays: Int
    /// Who the calendar's e-mails come from and go to.
    public let mail: Mail
    public let drops: [ScheduledDrop]

    /// The drop e-mails' sender and audiences, as roles in the directory.
    public struct Mail: Codable, Sendable, Equatable {
        public let senderName: String
        public let senderAddress: String
        /// At each academy: who gets receipts, refusals, reminders and chasers.
        public let academyRoles: [Role]
        /// At an academy where nobody holds `academyRoles`: who gets them instead.
        public let fallbackRoles: [Role]
        /// Who gets the summary the day after the deadline (the data manager).
        public let summaryRoles: [Role]
        /// Who gets the Board report (central team, trustees).
        public let reportRoles: [Role]

        enum CodingKeys: String, CodingKey {
            case senderName = "sender_name", senderAddress = "sender_address"
            case academyRoles = "academy_roles", fallbackRoles = "fallback_roles"
            case summaryRoles = "summary_roles", reportRoles = "report_roles"
        }

        /// Validated on load, so this cannot fail afterwards.
        public var sender: MailAddress {
            guard let address = try? MailAddress(senderAddress, displayName: senderName) else {
                preconditionFailure("drops.json mail.sender_address was validated on load")
            }
            return address
        }
    }

    enum CodingKeys: String, CodingKey {
        case timeZone = "timezone", sendTime = "send_time"
        case reminderWorkingDays = "reminder_working_days", mail, drops
    }

    public static func load(from data: Data, file: String = fileName) throws(ConfigError) -> DropCalendar {
        try loadDocument(from: data, file: file)
    }

    public static func load(contentsOf url: URL) throws(ConfigError) -> DropCalendar {
        try loadDocument(contentsOf: url)
    }

    public func drop(_ id: DropID) -> ScheduledDrop? { drops.first { $0.id == id } }

    /// The drop `text` names, or an error that lists the known ones: a mistyped `--drop` or
    /// `x-drop` must never become a new, empty drop.
    public func resolve(_ text: String) throws(UnknownDrop) -> ScheduledDrop {
        guard let id = DropID(text.trimmingDropWhitespace) else {
            throw UnknownDrop(description: "\"\(DropValidationError.displaySafe(text))\" is not a drop; write it as YYYY-YY/term, such as \(drops.last?.id.description ?? "2021-22/autumn")")
        }
        guard let drop = drop(id) else {
            throw UnknownDrop(description: "the drop \(id) is not in \(Self.fileName); known drops: \(drops.map(\.id.description).joined(separator: ", "))")
        }
        return drop
    }

    /// The drop whose window is open on `date`, else the next one to open, else the last.
    public func current(on date: CalendarDate) -> ScheduledDrop? {
        drops.first { $0.opens <= date && date <= $0.deadline } ?? drops.first { $0.opens > date } ?? drops.last
    }

    /// The instant a calendar date's e-mails fall due.
    public func dueInstant(_ date: CalendarDate) -> Date { date.instant(at: sendTime, in: timeZone) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        timeZone = try container.decodeTimeZone(forKey: .timeZone)
        sendTime = try container.decode(ClockTime.self, forKey: .sendTime)
        reminderWorkingDays = try container.decode(Int.self, forKey: .reminderWorkingDays)
        mail = try container.decode(Mail.self, forKey: .mail)
        drops = try container.decode([ScheduledDrop].self, forKey: .drops)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(timeZone.identifier, forKey: .timeZone)
        try container.encode(sendTime, forKey: .sendTime)
        try container.encode(reminderWorkingDays, forKey: .reminderWorkingDays)
        try container.encode(mail, forKey: .mail)
        try container.encode(drops, forKey: .drops)
    }

    func validate(_ check: ConfigValidator) throws(ConfigError) {
        try check.require((0...15).contains(reminderWorkingDays), entry: nil, field: "reminder_working_days",
                          value: reminderWorkingDays, "is not a number of working days from 0 to 15")
        try check.notBlank(mail.senderName, entry: nil, field: "mail.sender_name")
        try check.require(MailAddress.isValid(mail.senderAddress), entry: nil, field: "mail.sender_address",
                          value: mail.senderAddress, "is not a plain e-mail address (name@domain)")
        for (field, roles) in [("academy_roles", mail.academyRoles), ("summary_roles", mail.summaryRoles),
                               ("report_roles", mail.reportRoles)] {
            try check.require(!roles.isEmpty, entry: nil, field: "mail.\(field)", value: [String](),
                              "lists no roles (name at least one)")
        }
        var seen: [String: String] = [:]
        var previous: ScheduledDrop?
        for drop in drops {
            let entry = ConfigEntry.named("drop", drop.id.description)
            try check.unique(drop.id.description, entry: entry, seen: &seen)
            try check.require(drop.opens <= drop.deadline, entry: entry, field: "deadline",
                              value: drop.deadline.description, "is before the window opens (\(drop.opens))")
            try check.require(drop.deadline < drop.boardMeeting, entry: entry, field: "board_meeting",
                              value: drop.boardMeeting.description,
                              "is not after the deadline (\(drop.deadline)); the report needs the data first")
            try check.require(drop.deadline.isWeekday, entry: entry, field: "deadline",
                              value: drop.deadline.description, "falls on a weekend; choose a school day")
            if let previous {
                try check.require(previous.id < drop.id, entry: entry, field: "id", value: drop.id.description,
                                  "is out of order; list drops oldest first (after \(previous.id))")
                try check.require(previous.boardMeeting < drop.opens, entry: entry, field: "opens",
                                  value: drop.opens.description,
                                  "opens before the previous drop's Board meeting (\(previous.boardMeeting))")
            }
            previous = drop
        }
    }
}

/// One drop's dates. `deadline` is the last day academies may send their file.
public struct ScheduledDrop: Codable, Sendable, Equatable {
    public let id: DropID
    public let opens: CalendarDate
    public let deadline: CalendarDate
    public let boardMeeting: CalendarDate

    enum CodingKeys: String, CodingKey {
        case id, opens, deadline, boardMeeting = "board_meeting"
    }

    public init(id: DropID, opens: CalendarDate, deadline: CalendarDate, boardMeeting: CalendarDate) {
        self.id = id
        self.opens = opens
        self.deadline = deadline
        self.boardMeeting = boardMeeting
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let text = try container.decode(String.self, forKey: .id)
        guard let id = DropID(text) else {
            throw DecodingError.dataCorruptedError(
                forKey: .id, in: container,
                debugDescription: "is not a drop (expected YYYY-YY/term, such as 2021-22/autumn)")
        }
        self.id = id
        opens = try container.decode(CalendarDate.self, forKey: .opens)
        deadline = try container.decode(CalendarDate.self, forKey: .deadline)
        boardMeeting = try container.decode(CalendarDate.self, forKey: .boardMeeting)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id.description, forKey: .id)
        try container.encode(opens, forKey: .opens)
        try container.encode(deadline, forKey: .deadline)
        try container.encode(boardMeeting, forKey: .boardMeeting)
    }

    /// The day academies without accepted data are reminded: `workingDays` weekdays before
    /// the deadline (the deadline itself when 0).
    public func reminderDay(workingDays: Int) -> CalendarDate { deadline.weekdays(before: workingDays) }

    /// The day late academies are chased and the data manager gets the summary: the first
    /// weekday after the deadline.
    public var chaseDay: CalendarDate { deadline.weekdays(after: 1) }

    /// Days from `date` to the deadline: positive while there is time, 0 on the day, negative
    /// once late.
    public func daysLeft(on date: CalendarDate) -> Int { deadline.days(since: date) }
}

extension CalendarDate {
    /// Monday to Friday. Holidays are not known here; drop dates are chosen in term time.
    public var isWeekday: Bool { weekdayIndex < 5 }

    /// 0 = Monday … 6 = Sunday.
    var weekdayIndex: Int { ((days(since: CalendarDate(year: 1970, month: 1, day: 5)!) % 7) + 7) % 7 }  // a Monday

    /// The weekday `count` weekdays before this date (this date, moved back off a weekend, for 0).
    public func weekdays(before count: Int) -> CalendarDate {
        var date = self
        while !date.isWeekday { date = date.adding(days: -1) }
        var left = count
        while left > 0 {
            date = date.adding(days: -1)
            if date.isWeekday { left -= 1 }
        }
        return date
    }

    /// The weekday `count` weekdays after this date.
    public func weekdays(after count: Int) -> CalendarDate {
        var date = self, left = count
        while left > 0 {
            date = date.adding(days: 1)
            if date.isWeekday { left -= 1 }
        }
        return date
    }
}

/// A drop id that is malformed or not in the calendar; the message lists the known drops.
public struct UnknownDrop: Error, Sendable, CustomStringConvertible {
    public let description: String
}
