import Foundation
import Mail
import Store
import TrustDomain

/// Reminders and change notices for the ``DeliveryEngine``: `reminder_deliveries` rows, each
/// composed against the calendar as it stands when it goes, so a cancelled or superseded
/// mailing is skipped and one not sent before its session starts has failed.
struct ReminderDeliveries: DeliveryKind {
    let calendar: ForumCalendar

    var name: String { "reminder" }

    func due(at now: Date, limit: Int, in db: Database) throws -> [PendingDelivery] {
        try ReminderStore(db: db).pending(limit: limit, now: now, calendar: calendar)
    }

    func compose(_ row: PendingDelivery, at now: Date, in db: Database) -> Composition {
        let mailing = row.mailing
        guard let occurrence = row.occurrence else { return .skip("occurrence is no longer in forums.json") }
        if mailing.kind == .reminder && occurrence.isCancelled { return .skip("occurrence cancelled") }
        if mailing.kind != .reminder && mailing.step != occurrence.sequence {
            return .skip("superseded by change \(occurrence.sequence)")
        }
        guard occurrence.scheduled.interval.start > now else {
            return .fail("not sent before the session started" + (row.attempts > 0 ? " (\(row.attempts) attempts)" : ""))
        }
        do {
            let to = try MailAddress(row.recipient.email, displayName: row.recipient.name)
            return .send(OutgoingMail(try ReminderMail.message(mailing.kind.mail(step: mailing.step), for: occurrence,
                                                               calendar: calendar, to: to, now: now)))
        } catch {
            return .fail("cannot build the e-mail: \(error)")
        }
    }

    func record(_ outcomes: [(PendingDelivery, DeliveryOutcome)], at now: Date, in db: Database) throws {
        try ReminderStore(db: db).record(outcomes, now: now)
    }

    func settle(at now: Date, in db: Database) throws {
        try ReminderStore(db: db).settle(now: now)
    }

    func unannounced(in db: Database) throws -> [MailingSummary] {
        try ReminderStore(db: db).unannounced()
    }

    func event(for summary: MailingSummary) -> DeliveryEvent {
        DeliveryEvent(routingKey: "reminder.sent", messageID: summary.messageID, body: summary.json)
    }

    func markAnnounced(_ summaries: [MailingSummary], at now: Date, in db: Database) throws {
        try ReminderStore(db: db).markAnnounced(summaries, now: now)
    }
}
