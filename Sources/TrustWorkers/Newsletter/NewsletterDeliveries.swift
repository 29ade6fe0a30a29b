import Foundation
import Mail
import Store
import TrustDomain
import WorkerKit

/// The newsletter's deliveries for the ``DeliveryEngine``: one `newsletter_deliveries` row per
/// issue and recipient, each copy rendered from the issue stored at assembly and personalised
/// from the directory snapshot in its row, so a copy resent after a crash is the copy first
/// sent. A row that is `sent` is never picked again.
struct NewsletterDeliveries: DeliveryKind {
    struct Row: DeliveryRow {
        let issue: Int
        let email: String
        let name: String
        let affiliation: String
        let roles: String
        let attempts: Int
    }

    let setup: NewsletterSetup
    /// The issue being sent: deliveries go in issue order, so one is enough.
    private var rendering: (issue: Int, renderer: NewsletterRenderer, date: Date)?

    init(setup: NewsletterSetup) { self.setup = setup }

    var name: String { "newsletter" }

    func due(at now: Date, limit: Int, in db: Database) throws -> [Row] {
        // Only issues being sent: an issue awaiting approval, paused or cancelled by the editor
        // is left alone from the next round (one chunk) on.
        try db.query("""
            SELECT d.issue_number, d.email, d.name, d.affiliation, d.roles, d.attempts FROM newsletter_deliveries d
            JOIN newsletter_issues i ON i.number = d.issue_number AND i.state = 'sending'
            WHERE d.status = 'pending' AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= ?)
            ORDER BY d.issue_number, d.email LIMIT ?
            """, [.text(Timestamp.string(now)), .int(limit)]).map { row in
            Row(issue: row.int("issue_number") ?? 0, email: row.string("email") ?? "", name: row.string("name") ?? "",
                affiliation: row.string("affiliation") ?? "", roles: row.string("roles") ?? "",
                attempts: row.int("attempts") ?? 0)
        }
    }

    mutating func compose(_ row: Row, at now: Date, in db: Database) throws -> Composition {
        if rendering?.issue != row.issue {
            guard let stored = try db.query("SELECT content, assembled_at FROM newsletter_issues WHERE number = ?",
                                            [.int(row.issue)]).first,
                  let content = stored.blob("content")
            else { throw NewsletterDataError(description: "newsletter issue \(row.issue) has deliveries but no stored issue") }
            rendering = (row.issue, NewsletterRenderer(issue: try NewsletterIssue.decode(content)),
                         stored.string("assembled_at").flatMap(Settings.parseInstant) ?? now)
        }
        let recipient = setup.recipient(name: row.name, email: row.email, affiliation: row.affiliation, roles: row.roles)
        do {
            return .send(OutgoingMail(try rendering!.renderer.message(for: recipient, from: setup.newsletter.senderAddress,
                                                                      date: rendering!.date)))
        } catch {
            return .fail("not sent: \(error)")
        }
    }

    func record(_ outcomes: [(Row, DeliveryOutcome)], at now: Date, in db: Database) throws {
        for (row, outcome) in outcomes {
            // A copy the server accepted is recorded as sent even if the editor cancelled the
            // issue while it was in flight: it did go.
            let sent: Bool = if case .sent = outcome { true } else { false }
            try db.execute("""
                UPDATE newsletter_deliveries SET \(DeliveryOutcome.ledgerUpdate)
                WHERE issue_number = ? AND email = ? AND (status = 'pending' OR (? AND status = 'cancelled'))
                """, outcome.ledgerValues(attempts: row.attempts, at: now) + [.int(row.issue), .text(row.email), .bool(sent)])
        }
    }

    func settle(at now: Date, in db: Database) throws {
        // Looked for first, so the common case (nothing settled) takes no write lock.
        let settled = try db.query("""
            SELECT number FROM newsletter_issues i WHERE settled_at IS NULL AND NOT EXISTS (
                SELECT 1 FROM newsletter_deliveries d WHERE d.issue_number = i.number AND d.status = 'pending')
            """).compactMap { $0.int("number") }
        for number in settled {
            try db.execute("UPDATE newsletter_issues SET settled_at = ? WHERE number = ?",
                           [.text(Timestamp.string(now)), .int(number)])
        }
    }

    func unannounced(in db: Database) throws -> [NewsletterIssueSummary] {
        try NewsletterStore.issueSummaries(in: db, unannouncedOnly: true)
    }

    func event(for summary: NewsletterIssueSummary) -> DeliveryEvent {
        let body: [String: Any] = [
            "issue": summary.number, "issue_date": summary.issueDate, "recipients": summary.recipients,
            "sent": summary.sent, "failed": summary.failed, "cancelled": summary.cancelled, "items": summary.items,
        ]
        return DeliveryEvent(routingKey: "newsletter.sent", messageID: "newsletter.sent:\(summary.number)",
                             body: Array(try! JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])))
    }

    func markAnnounced(_ summaries: [NewsletterIssueSummary], at now: Date, in db: Database) throws {
        for summary in summaries {
            try db.execute("UPDATE newsletter_issues SET announced_at = ? WHERE number = ?",
                           [.text(Timestamp.string(now)), .int(summary.number)])
        }
    }
}

/// The ledger refers to an issue that is not stored: a damaged database, not a relay problem.
struct NewsletterDataError: Error, CustomStringConvertible {
    let description: String
}
