import Foundation
import Mail
import Store
import TrustDomain
import WorkerKit

/// Authors' notices ("your item will be in FAcT 5") for the ``DeliveryEngine``: one
/// `newsletter_notices` row per item with an author address, written pending with the item
/// and sent from its `not_before`, a working day's send time.
struct NewsletterNotices: DeliveryKind {
    struct Row: DeliveryRow {
        let itemID: Int64
        let notice: NewsletterNotice
        let attempts: Int
    }

    let setup: NewsletterSetup

    var name: String { "newsletter-notice" }

    func due(at now: Date, limit: Int, in db: Database) throws -> [Row] {
        try db.query("""
            SELECT item_id, email, author, title, issue_number, issue_date, cutoff_at, since_last_issue, attempts
            FROM newsletter_notices WHERE status = 'pending' AND not_before <= ? ORDER BY not_before, item_id LIMIT ?
            """, [.text(Timestamp.string(now)), .int(limit)]).compactMap { r in
            guard let id = r.int64("item_id"), let date = r.string("issue_date").flatMap(CalendarDate.init),
                  let cutoff = r.string("cutoff_at").flatMap(Settings.parseInstant) else { return nil }
            return Row(itemID: id, notice: NewsletterNotice(
                authorName: r.string("author") ?? "", authorEmail: r.string("email") ?? "", itemTitle: r.string("title") ?? "",
                issueNumber: r.int("issue_number") ?? 0, issueDate: date, cutoff: cutoff,
                sinceLastIssue: r.int("since_last_issue") == 1), attempts: r.int("attempts") ?? 0)
        }
    }

    func compose(_ row: Row, at now: Date, in db: Database) throws -> Composition {
        do {
            return .send(OutgoingMail(try row.notice.message(newsletter: setup.newsletter.title, itemID: row.itemID,
                                                             from: setup.newsletter.senderAddress, date: now)))
        } catch {
            return .fail("not sent: \(error)")
        }
    }

    func record(_ outcomes: [(Row, DeliveryOutcome)], at now: Date, in db: Database) throws {
        for (row, outcome) in outcomes {
            var retryAt: Date?, status = "failed", reply = ""
            switch outcome {
            case .sent(let text): (status, reply) = ("sent", text)
            case .failed(let text), .skipped(let text): reply = text
            case .deferred(let text, let until): (status, reply, retryAt) = ("pending", text, until)
            }
            try db.execute("""
                UPDATE newsletter_notices SET status = ?, attempts = ?, reply = ?, not_before = coalesce(?, not_before),
                    updated_at = ? WHERE item_id = ? AND status = 'pending'
                """, [.text(status), .int(row.attempts + 1), .text(reply), .optional(retryAt.map(Timestamp.string)),
                      .text(Timestamp.string(now)), .integer(row.itemID)])
        }
    }

    /// Notices are single e-mails with nothing to settle or announce.
    func settle(at now: Date, in db: Database) throws {}
    func unannounced(in db: Database) throws -> [Never] { [] }
    func event(for settled: Never) -> DeliveryEvent {}
    func markAnnounced(_ settled: [Never], at now: Date, in db: Database) throws {}
}

extension NewsletterStore {
    /// Queues the author's notice for the item just stored under `messageID`, in the item's
    /// transaction; a repeated item (same message id) queues nothing more.
    static func queueNotice(for item: NewsletterItem, messageID: String, now: Date, setup: NewsletterSetup,
                            in db: Database) throws {
        guard let email = item.authorEmail else { return }
        let schedule = setup.schedule
        let latest = try latestIssue(in: db)
        let date = schedule.issueDate(forItemAt: now, after: latest?.date)
        // Numbers go to issues as they are assembled: the one due now if not yet assembled (the
        // Scheduler assembles only the latest missed one), then each still to come up to this one.
        let due = schedule.dueIssue(now: now, lastPublished: latest?.date) == nil ? 0 : 1
        let coming = schedule.issueDates(through: date).filter { schedule.sendInstant(of: $0) > now }.count
        let number = (latest?.number ?? 0) + due + coming
        try db.execute("""
            INSERT INTO newsletter_notices (item_id, email, author, title, issue_number, issue_date, cutoff_at,
                                            since_last_issue, not_before, updated_at)
            SELECT id, ?, author, title, ?, ?, ?, ?, ?, ? FROM newsletter_items WHERE message_id = ?
            ON CONFLICT (item_id) DO NOTHING
            """, [.text(email), .int(number), .text(date.description), .text(Timestamp.string(schedule.cutoffInstant(of: date))),
                  .int(item.eventDate.map { $0 < date } == true ? 1 : 0),
                  .text(Timestamp.string(schedule.nextSendingInstant(after: now))), .text(Timestamp.string(now)),
                  .text(messageID)])
    }
}
