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
    }

    public static func load(from data: Data, file: String = fileName) throws(ConfigError) -> NewsletterConfig {
        try loadDocument(from: data, file: file)
    }

    public static func load(contentsOf url: URL) throws(ConfigError) -> NewsletterConfig {
        try loadDocument(contentsOf: url)
    }

    public func category(_ id: String) -> Category? { categories.first { $0.id == id } }

    /// The issue calendar this file describes.
    public var schedule: NewsletterSchedule { NewsletterSchedule(anchor: anchor, periodDays: periodDays) }

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
