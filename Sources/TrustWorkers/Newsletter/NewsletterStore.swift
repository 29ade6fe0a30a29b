import Foundation
import Store
import WorkerKit
import TrustDomain

/// An issue as the `news issues` listing shows it.
public struct NewsletterIssueSummary: Sendable, Equatable, Codable {
    public let number: Int
    public let issueDate: String
    public let items: Int
    public let recipients: Int
    public let sent: Int
    public let failed: Int
    public let pending: Int
    /// Pending when the editor cancelled the issue: never sent.
    public let cancelled: Int
    /// `awaiting_approval`, `sending`, `paused` or `cancelled` (the editor's controls).
    public let state: String
    public let archive: String
    public let settledAt: String?
    /// When the pending deliveries should all be sent at the relay's pace (ISO 8601), if the
    /// issue is being sent and the relay has limits; filled in by ``NewsletterProgress``.
    public var estimatedFinish: String?

    enum CodingKeys: String, CodingKey {
        case number, items, recipients, sent, failed, pending, cancelled, state, archive
        case issueDate = "issue_date"
        case settledAt = "settled_at"
        case estimatedFinish = "estimated_finish"
    }
}

/// The newsletter's SQL, in one place for the handler, the pump and the commands.
enum NewsletterStore {
    static func prepareInsertItem(in db: Database) throws -> Statement {
        try db.prepare("""
            INSERT INTO newsletter_items (message_id, title, body, category, academy, author, received_at,
                                          event_date, author_email)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (message_id) DO NOTHING
            """)
    }

    static func insertItem(_ item: NewsletterItem, messageID: String, receivedAt: String, with insert: Statement) throws {
        try insert.bind(messageID, at: 1)
        try insert.bind(item.title, at: 2)
        try insert.bind(item.body, at: 3)
        try insert.bind(item.category, at: 4)
        if let academy = item.academy { try insert.bind(academy.rawValue, at: 5) } else { try insert.bindNull(at: 5) }
        try insert.bind(item.author, at: 6)
        try insert.bind(receivedAt, at: 7)
        if let date = item.eventDate { try insert.bind(date.description, at: 8) } else { try insert.bindNull(at: 8) }
        if let email = item.authorEmail { try insert.bind(email, at: 9) } else { try insert.bindNull(at: 9) }
        try insert.execute()
    }

    /// Items not yet in an issue that arrived by `cutoff` (the issue's editorial cut-off),
    /// oldest first, with their row ids; later ones wait for the next issue.
    static func unissuedItems(in db: Database, receivedBy cutoff: String) throws -> [(id: Int64, item: NewsletterItem)] {
        try db.query("""
            SELECT id, title, body, category, academy, author, event_date FROM newsletter_items
            WHERE issue_number IS NULL AND received_at <= ? ORDER BY id
            """, [.text(cutoff)]).map { row in
            (row.int64("id") ?? 0,
             NewsletterItem(restoring: row.string("title") ?? "", body: row.string("body") ?? "",
                            category: row.string("category") ?? "", academy: row.string("academy").map { AcademyID($0) },
                            author: row.string("author") ?? "", eventDate: row.string("event_date").flatMap(CalendarDate.init)))
        }
    }

    /// When the latest issue was assembled: what a later issue reports on starts after it.
    static func assembledAt(issue number: Int, in db: Database) throws -> String? {
        try db.scalar("SELECT assembled_at FROM newsletter_issues WHERE number = ?", [.int(number)])?.stringValue
    }

    static func latestIssue(in db: Database) throws -> (number: Int, date: CalendarDate)? {
        guard let row = try db.query("SELECT number, issue_date FROM newsletter_issues ORDER BY number DESC LIMIT 1").first,
              let number = row.int("number"), let date = row.string("issue_date").flatMap(CalendarDate.init)
        else { return nil }
        return (number, date)
    }

    static func issueNumber(on date: CalendarDate, in db: Database) throws -> Int? {
        try db.scalar("SELECT number FROM newsletter_issues WHERE issue_date = ?", [.text(date.description)])?
            .int64Value.map(Int.init)
    }

    /// Every issue with its delivery counts, oldest first; empty before the first migration.
    /// `unannouncedOnly`: just the settled issues whose `newsletter.sent` is not yet confirmed.
    static func issueSummaries(in db: Database, unannouncedOnly: Bool = false) throws -> [NewsletterIssueSummary] {
        guard try db.tableExists("newsletter_issues") else { return [] }
        return try db.query("""
            SELECT i.number, i.issue_date, i.recipients, i.archive_path, i.settled_at, i.state,
                   (SELECT count(*) FROM newsletter_items t WHERE t.issue_number = i.number) AS items,
                   (SELECT count(*) FROM newsletter_deliveries d WHERE d.issue_number = i.number AND d.status = 'sent') AS sent,
                   (SELECT count(*) FROM newsletter_deliveries d WHERE d.issue_number = i.number AND d.status = 'failed') AS failed,
                   (SELECT count(*) FROM newsletter_deliveries d WHERE d.issue_number = i.number AND d.status = 'pending') AS pending,
                   (SELECT count(*) FROM newsletter_deliveries d WHERE d.issue_number = i.number AND d.status = 'cancelled') AS cancelled
            FROM newsletter_issues i \(unannouncedOnly ? "WHERE settled_at IS NOT NULL AND announced_at IS NULL" : "")
            ORDER BY i.number
            """).map { row in
            NewsletterIssueSummary(number: row.int("number") ?? 0, issueDate: row.string("issue_date") ?? "",
                                   items: row.int("items") ?? 0, recipients: row.int("recipients") ?? 0,
                                   sent: row.int("sent") ?? 0, failed: row.int("failed") ?? 0,
                                   pending: row.int("pending") ?? 0, cancelled: row.int("cancelled") ?? 0,
                                   state: row.string("state") ?? "sending", archive: row.string("archive_path") ?? "",
                                   settledAt: row.string("settled_at"))
        }
    }
}

/// UTC instants as ISO-8601 text with milliseconds: sorts as text, reads in any tool.
extension NewsletterIssueSummary {
    /// Every issue with its delivery counts, oldest first (none before the newsletter's tables
    /// exist), for `trustctl news issues` and status pages.
    public static func all(in db: Database) throws -> [NewsletterIssueSummary] {
        try NewsletterStore.issueSummaries(in: db)
    }
}
