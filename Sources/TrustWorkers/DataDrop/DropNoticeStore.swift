import Foundation
import Mail
import Store
import TrustDomain
import WorkerKit

/// Records `DropNotice`s and their recipients in the caller's transaction, for the
/// ``DeliveryEngine`` to send after the commit. A notice id seen before is ignored, so a
/// redelivered message or a repeated scheduler pass adds no e-mail.
struct DropNoticeStore {
    let config: TrustConfig

    /// Whether the notice was new. `recipients` is the directory's audience at this moment;
    /// a notice nobody can receive is still recorded (and logged), so it is not retried.
    @discardableResult
    func record(_ notice: DropNotice, to recipients: [Person], attachment: (name: String, bytes: [UInt8])? = nil,
                at now: Date, in db: Database, log: Log) throws -> Bool {
        let inserted = try db.execute("""
            INSERT INTO drop_notices (id, kind, drop_id, academy, subject, text, attachment_name, attachment, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
            """, [.text(notice.id), .text(notice.kind.rawValue), .text(notice.drop.description),
                  .optional(notice.academy?.rawValue), .text(notice.subject), .text(notice.text),
                  .optional(attachment?.name), attachment.map { .blob($0.bytes) } ?? .null,
                  .text(Timestamp.string(now))])
        guard inserted > 0 else { return false }
        for person in Set(recipients.map(\.email)).sorted() {
            let name = recipients.first { $0.email == person }?.name ?? person
            try db.execute("INSERT INTO drop_notice_deliveries (notice_id, email, name) VALUES (?, ?, ?)",
                           [.text(notice.id), .text(person), .text(name)])
        }
        if recipients.isEmpty {
            log.warn("drop notice has nobody to go to", ["notice": notice.id, "kind": notice.kind.rawValue])
        }
        return true
    }

    /// The people at `academy` who hear about its files: its data leads, or when it has none
    /// the fallback roles (its head), so an academy is never left uninformed.
    func academyContacts(_ academy: AcademyID, in directory: Directory) -> [Person] {
        let mail = config.drops.mail
        let leads = directory.audience(roles: Set(mail.academyRoles), academies: [academy])
        return leads.isEmpty ? directory.audience(roles: Set(mail.fallbackRoles), academies: [academy]) : leads
    }

    func trustAudience(_ roles: [Role], in directory: Directory) -> [Person] {
        directory.audience(roles: Set(roles))
    }
}

/// Drop notices for the ``DeliveryEngine``: one `drop_notice_deliveries` row per notice and
/// recipient. The e-mail is rebuilt from the stored notice, with a Message-ID derived from
/// notice and recipient, so a resend after a crash is the same message.
struct DropNoticeDeliveries: DeliveryKind {
    struct Row: DeliveryRow {
        let notice: String
        let email: String
        let name: String
        let attempts: Int
    }

    let sender: MailAddress

    var name: String { "datadrop" }

    func due(at now: Date, limit: Int, in db: Database) throws -> [Row] {
        try db.query("""
            SELECT notice_id, email, name, attempts FROM drop_notice_deliveries
            WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
            ORDER BY notice_id, email LIMIT ?
            """, [.text(Timestamp.string(now)), .int(limit)]).map { row in
            Row(notice: row.string("notice_id") ?? "", email: row.string("email") ?? "", name: row.string("name") ?? "",
                attempts: row.int("attempts") ?? 0)
        }
    }

    func compose(_ row: Row, at now: Date, in db: Database) throws -> Composition {
        guard let notice = try db.query("SELECT * FROM drop_notices WHERE id = ?", [.text(row.notice)]).first else {
            throw NewsletterDataError(description: "drop notice \(row.notice) has deliveries but is not stored")
        }
        do {
            let to = try MailAddress(row.email, displayName: row.name)
            let attachments = try notice.string("attachment_name").map { name in
                [try MIMEAttachment(filename: name, mediaType: "text/html", data: notice.blob("attachment") ?? [])]
            } ?? []
            let id = Digest.sha256Hex(Array("\(row.notice)\n\(row.email)".utf8)).prefix(24)
            return .send(OutgoingMail(try MIMEMessage(
                messageID: "<drop-\(notice.string("kind") ?? "notice").\(id)@\(DropNoticeDeliveries.messageIDDomain)>",
                date: notice.string("created_at").flatMap(Settings.parseInstant) ?? now, from: sender, to: [to],
                subject: notice.string("subject") ?? "", text: notice.string("text") ?? "", attachments: attachments,
                extraHeaders: [("Auto-Submitted", "auto-generated")])))
        } catch {
            return .fail("not sent: \(error)")
        }
    }

    static let messageIDDomain = "focus-trust.local"

    func record(_ outcomes: [(Row, DeliveryOutcome)], at now: Date, in db: Database) throws {
        for (row, outcome) in outcomes {
            try db.execute("""
                UPDATE drop_notice_deliveries SET \(DeliveryOutcome.ledgerUpdate)
                WHERE notice_id = ? AND email = ? AND status = 'pending'
                """, outcome.ledgerValues(attempts: row.attempts, at: now) + [.text(row.notice), .text(row.email)])
        }
    }

    // Notices are not announced as events: the receipts themselves are the news, and the
    // handler already emits `datadrop.ingested` / `datadrop.rejected` for each file.
    func settle(at now: Date, in db: Database) throws {}
    func unannounced(in db: Database) throws -> [Never] { [] }
    func event(for settled: Never) -> DeliveryEvent {}
    func markAnnounced(_ settled: [Never], at now: Date, in db: Database) throws {}
}
