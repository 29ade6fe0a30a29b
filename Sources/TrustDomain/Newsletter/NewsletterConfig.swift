import Foundation

/// `Config/newsletter.json`: what FAcT is called, who it comes from, when issues fall due and
/// which categories items may be filed under. Kept as data because the central team changes
/// categories and the sender address, not programmers.
public struct NewsletterConfig: Codable, Sendable, Equatable, ConfigDocument {
    public static let fileName = "newsletter.json"

    /// The newsletter's name as it appears in subjects and file names ("FAcT").
    public let title: String
    public let sender: Sender
    /// The first issue of the cycle; every later issue falls a whole number of periods after it.
    public let anchor: CalendarDate
    /// Days between issues: 21 for "every three weeks".
    public let periodDays: Int
    /// How far ahead "Dates for your diary" looks, counting the issue's own day.
    public let diaryDays: Int
    /// In the order sections appear in an issue.
    public let categories: [Category]
    /// When an issue goes out on its day, London time (default 07:30: before the school day).
    public let sendTime: ClockTime?
    /// The editorial cut-off: items must arrive by `time` on the day `days_before` the issue.
    public let cutoff: Cutoff?
    /// Where archived issues are published (`<base>FAcT-12-2021-09-24.html`), for the "view
    /// in browser" link; nil: no link.
    public let archiveBaseURL: String?

    public struct Cutoff: Codable, Sendable, Equatable {
        public let daysBefore: Int
        public let time: ClockTime

        enum CodingKeys: String, CodingKey {
            case time
            case daysBefore = "days_before"
        }
    }

    public static let defaultSendTime = ClockTime(hour: 7, minute: 30)!

    /// The From of every issue; replies reach the newsletter's editors.
    public struct Sender: Codable, Sendable, Equatable {
        public let name: String
        public let address: String
    }

    public struct Category: Codable, Sendable, Equatable {
        /// What items name in their `category` field.
        public let id: String
        /// The section heading readers see.
        public let title: String
    }

    enum CodingKeys: String, CodingKey {
        case title, sender, anchor, categories
        case periodDays = "period_days"
        case diaryDays = "diary_days"
        case sendTime = "send_time"
        case cutoff
        case archiveBaseURL = "archive_base_url"
    }

    public static func load(from data: Data, file: String = fileName) throws(ConfigError) -> NewsletterConfig {
        try loadDocument(from: data, file: file)
    }

    public static func load(contentsOf url: URL) throws(ConfigError) -> NewsletterConfig {
        try loadDocument(contentsOf: url)
    }

    public func category(_ id: String) -> Category? { categories.first { $0.id == id } }

    /// The issue calendar this file describes, on `schoolDays` (see ``NewsletterSchedule``).
    public func schedule(schoolDays: SchoolDays?) -> NewsletterSchedule {
        NewsletterSchedule(anchor: anchor, periodDays: periodDays, sendTime: sendTime ?? Self.defaultSendTime,
                           cutoffDays: cutoff?.daysBefore ?? 0, cutoffTime: cutoff?.time ?? sendTime ?? Self.defaultSendTime,
                           schoolDays: schoolDays)
    }

    /// The archived copy's address for "view in browser", when a base URL is configured.
    public func archiveURL(for fileName: String) -> String? {
        archiveBaseURL.map { ($0.hasSuffix("/") ? $0 : $0 + "/") + fileName }
    }

    /// The From address; validated on load, so this cannot fail afterwards.
    public var senderAddress: MailAddress {
        guard let address = try? MailAddress(sender.address, displayName: sender.name) else {
            preconditionFailure("newsletter.json sender was validated on load")
        }
        return address
    }

    func validate(_ check: ConfigValidator) throws(ConfigError) {
        try check.notBlank(title, entry: nil, field: "title")
        // The title goes into subjects and archive file names.
        try check.require(title.count <= 40 && title.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" },
                          entry: nil, field: "title", value: title,
                          "must be a short name of letters, digits and hyphens (it names the archive files)")
        try check.notBlank(sender.name, entry: nil, field: "sender.name")
        try check.require(MailAddress.isValid(sender.address), entry: nil, field: "sender.address",
                          value: sender.address, "is not a plain e-mail address (name@domain)")
        try check.require((1...366).contains(periodDays), entry: nil, field: "period_days", value: periodDays,
                          "is not a number of days from 1 to 366")
        try check.require((1...92).contains(diaryDays), entry: nil, field: "diary_days", value: diaryDays,
                          "is not a number of days from 1 to 92")
        if let cutoff {
            try check.require((0...14).contains(cutoff.daysBefore), entry: nil, field: "cutoff.days_before",
                              value: cutoff.daysBefore, "is not a number of days from 0 to 14")
        }
        if let base = archiveBaseURL {
            try check.require(base.hasPrefix("https://") && base.count > 8 && !base.contains { $0.isWhitespace || "\"<>".contains($0) },
                              entry: nil, field: "archive_base_url", value: base, "is not an https:// address")
        }
        try check.require(!categories.isEmpty, entry: nil, field: "categories", value: [String](),
                          "lists no categories (name at least one)")
        var seen: [String: String] = [:]
        for (index, category) in categories.enumerated() {
            let position = ConfigEntry.numbered("category", index)
            try check.slug(category.id, entry: position)
            try check.unique(category.id, entry: position, seen: &seen)
            try check.notBlank(category.title, entry: ConfigEntry.named("category", category.id), field: "title")
        }
    }
}
