import Foundation
import Mail
import Store
import TrustDomain
import WorkerKit

/// `trustctl news preview` copies for the ``DeliveryEngine``: one `newsletter_preview_deliveries`
/// row per preview and address, rendered from the preview's stored issue. A copy's subject
/// starts "[Preview]" and its Message-ID names the preview, so a reader's mail program never
/// takes the real issue, when it comes, for a duplicate of the preview.
struct NewsletterPreviewDeliveries: DeliveryKind {
    struct Row: DeliveryRow {
        let preview: Int
        let email: String
        let attempts: Int
    }

    let setup: NewsletterSetup

    var name: String { "newsletter-preview" }

    func due(at now: Date, limit: Int, in db: Database) throws -> [Row] {
        try db.query("""
            SELECT preview_id, email, attempts FROM newsletter_preview_deliveries
            WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
            ORDER BY preview_id, email LIMIT ?
            """, [.text(Timestamp.string(now)), .int(limit)]).map { row in
            Row(preview: row.int("preview_id") ?? 0, email: row.string("email") ?? "", attempts: row.int("attempts") ?? 0)
        }
    }

    func compose(_ row: Row, at now: Date, in db: Database) throws -> Composition {
        guard let content = try db.query("SELECT content FROM newsletter_previews WHERE id = ?", [.int(row.preview)]).first?
            .blob("content")
        else { throw NewsletterDataError(description: "newsletter preview \(row.preview) has deliveries but no stored issue") }
        let person = (try? setup.trust.loadDirectory())?.active.first { $0.email.lowercased() == row.email }
        let recipient = setup.recipient(name: person?.name ?? row.email, email: row.email,
                                        affiliation: person?.affiliation.description ?? "central",
                                        roles: person?.roles.map(\.rawValue).joined(separator: ";") ?? "")
        do {
            let issue = try NewsletterIssue.decode(content)
            let copy = try NewsletterRenderer(issue: issue).message(for: recipient, from: setup.newsletter.senderAddress, date: now)
            let domain = setup.newsletter.senderAddress.address.split(separator: "@").last.map(String.init) ?? "focus-trust.local"
            return .send(OutgoingMail(try MIMEMessage(
                messageID: "<preview-\(row.preview).\(Digest.sha256Hex(Array(row.email.utf8)).prefix(16))@\(domain)>", date: now, from: copy.from,
                to: copy.to, subject: "[Preview] " + copy.subject, text: copy.text, html: copy.html)))
        } catch {
            return .fail("not sent: \(error)")
        }
    }

    func record(_ outcomes: [(Row, DeliveryOutcome)], at now: Date, in db: Database) throws {
        for (row, outcome) in outcomes {
            try db.execute("""
                UPDATE newsletter_preview_deliveries SET \(DeliveryOutcome.ledgerUpdate)
                WHERE preview_id = ? AND email = ? AND status = 'pending'
                """, outcome.ledgerValues(attempts: row.attempts, at: now) + [.int(row.preview), .text(row.email)])
        }
    }

    func settle(at now: Date, in db: Database) throws {
        try db.execute("""
            UPDATE newsletter_previews SET settled_at = ?, announced_at = ? WHERE settled_at IS NULL AND NOT EXISTS (
                SELECT 1 FROM newsletter_preview_deliveries d WHERE d.preview_id = newsletter_previews.id AND d.status = 'pending')
            """, [.text(Timestamp.string(now)), .text(Timestamp.string(now))])
    }

    /// Previews are for the editor, not the trust: no event.
    func unannounced(in db: Database) throws -> [Int] { [] }
    func event(for preview: Int) -> DeliveryEvent { DeliveryEvent(routingKey: "", messageID: "", body: []) }
    func markAnnounced(_ previews: [Int], at now: Date, in db: Database) throws {}
}
