import Foundation
import Mail
import Store
import TrustDomain
import WorkerKit

/// Alert e-mails for the ``DeliveryEngine``: one `alert_deliveries` row per incident, event
/// and operator, sent from the subject and text stored with it, so a resend after a crash is
/// the message first sent (same Message-ID). Alerts announce nothing on `trust.events`.
struct AlertDeliveries: DeliveryKind {
    struct Row: DeliveryRow {
        let id: Int64
        let incident: Int64
        let event: String
        let email: String
        let name: String
        let subject: String
        let text: String
        let createdAt: String
        let attempts: Int
    }

    let config: AlertConfig

    var name: String { "alert" }

    func due(at now: Date, limit: Int, in db: Database) throws -> [Row] {
        try db.query("""
            SELECT id, incident_id, event, email, name, subject, text, created_at, attempts FROM alert_deliveries
            WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id LIMIT ?
            """, [.text(Timestamp.string(now)), .int(limit)]).map { r in
            Row(id: r.int64(0) ?? 0, incident: r.int64(1) ?? 0, event: r.string(2) ?? "", email: r.string(3) ?? "",
                name: r.string(4) ?? "", subject: r.string(5) ?? "", text: r.string(6) ?? "", createdAt: r.string(7) ?? "",
                attempts: r.int(8) ?? 0)
        }
    }

    func compose(_ row: Row, at now: Date, in db: Database) throws -> Composition {
        let domain = config.sender.address.split(separator: "@").last.map(String.init) ?? "focus-trust.local"
        do {
            let message = try MIMEMessage(
                messageID: "<alert-\(row.incident)-\(row.event)-\(row.id)@\(domain)>",
                date: Settings.parseInstant(row.createdAt) ?? now, from: config.senderAddress,
                to: [try MailAddress(row.email, displayName: row.name)], subject: row.subject, text: row.text,
                extraHeaders: [("Auto-Submitted", "auto-generated")])
            return .send(OutgoingMail(message))
        } catch {
            return .fail("not sent: \(error)")
        }
    }

    func record(_ outcomes: [(Row, DeliveryOutcome)], at now: Date, in db: Database) throws {
        for (row, outcome) in outcomes {
            try db.execute("""
                UPDATE alert_deliveries SET \(DeliveryOutcome.ledgerUpdate) WHERE id = ? AND status = 'pending'
                """, outcome.ledgerValues(attempts: row.attempts, at: now) + [.integer(row.id)])
        }
    }

    /// Nothing to settle or announce: each alert e-mail stands alone.
    func settle(at now: Date, in db: Database) throws {}
    func unannounced(in db: Database) throws -> [Never] { [] }
    func event(for settled: Never) -> DeliveryEvent {}
    func markAnnounced(_ settled: [Never], at now: Date, in db: Database) throws {}
}

/// The alert e-mails' sender, one ``DeliveryEngine`` in the Scheduler process.
public enum AlertService {
    /// Throws for a bad `Config/alerts.json` or `TRUST_SMTP_URL`, so the Scheduler stops at
    /// start rather than queueing alerts nobody will send.
    public static func delivery(settings: Settings, log: Log, shutdown: ShutdownSignal) throws -> any Service {
        let trust = try TrustConfig(directory: settings.configDirectory)
        let config = try AlertConfig.load(contentsOf: trust.file(AlertConfig.fileName))
        let outbox = URL(fileURLWithPath: settings.varDirectory).appendingPathComponent("outbox", isDirectory: true)
        let smtp = settings.smtpURL
        _ = try makeMailTransport(smtpURL: smtp, outboxDirectory: outbox)
        return DeliveryEngine(kind: AlertDeliveries(config: config), databasePath: settings.databasePath,
                              options: DeliveryOptions(), makeTransport: { try makeMailTransport(smtpURL: smtp, outboxDirectory: outbox) },
                              announcer: nil, now: settings.clock, log: log, shutdown: shutdown)
    }
}
