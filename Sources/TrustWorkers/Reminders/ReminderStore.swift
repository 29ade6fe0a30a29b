import Foundation
import Store
import TrustDomain

/// UTC instants in the single format the reminder tables use, so they compare as text.
enum Stamp {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    static func text(_ date: Date) -> String { date.formatted(style) }
    static func date(_ text: String?) -> Date? { text.flatMap { try? style.parse($0) } }
}

/// What a mailing is about: a reminder at a lead time, or the notice of a change.
enum MailingKind: String, Sendable {
    case reminder, moved, cancelled

    func mail(step: Int) -> ReminderMail.Kind {
        switch self {
        case .reminder: .reminder(leadDays: step)
        case .moved: .moved
        case .cancelled: .cancelled
        }
    }
}

/// Someone an e-mail goes to. Name and address are kept with each delivery because the pump
/// sends later and the directory may have changed by then (a leaver is still owed the notice
/// that a session they were invited to has moved).
struct Recipient: Hashable, Sendable {
    let email: String
    let name: String
}

/// One mailing's identity: a reminder of an occurrence at a lead time (`step` = lead days), or
/// the notice of one change (`step` = the SEQUENCE it announces).
struct Mailing: Hashable, Sendable {
    let occurrenceID: String
    let forumID: String
    let kind: MailingKind
    let step: Int
}

extension Mailing {
    /// The notice of `change` to those already mailed.
    init(notice change: OccurrenceChange, forumID: String) {
        self.init(occurrenceID: change.occurrenceID, forumID: forumID,
                  kind: change.status == .cancelled ? .cancelled : .moved, step: change.sequence)
    }
}

/// A pending e-mail with what the delivery engine needs to compose it.
struct PendingDelivery: Sendable, DeliveryRow {
    let id: Int64
    let mailing: Mailing
    let recipient: Recipient
    let attempts: Int
    /// The occurrence as the calendar stood when the row was read, which its e-mail describes
    /// (and whose SEQUENCE it carries); nil once it is no longer in forums.json.
    let occurrence: PlannedOccurrence?
}

/// A settled mailing's counts, the body of its `reminder.sent` event.
struct MailingSummary: Equatable {
    let id: Int64
    let mailing: Mailing
    let settledAt: String
    let recipients: Int
    let sent: Int
    let failed: Int
    let skipped: Int

    /// Includes the recipient count: a mailing that grows after settling (a new starter added to
    /// the directory and reminded) is announced again under a new id rather than deduplicated.
    var messageID: String {
        "reminder.sent:\(mailing.occurrenceID):\(mailing.kind.rawValue):\(mailing.step):\(recipients)"
    }

    var json: [UInt8] {
        var body: [String: Any] = [
            "occurrence": mailing.occurrenceID, "forum_id": mailing.forumID, "kind": mailing.kind.rawValue,
            "recipients": recipients, "sent": sent, "failed": failed, "skipped": skipped,
            "settled_at": settledAt,
        ]
        body[mailing.kind == .reminder ? "lead_days" : "sequence"] = mailing.step
        return Array(try! JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]))
    }
}

/// The reminder tables (see `Schema+Reminders.swift`), used by the handler, the delivery engine,
/// the Scheduler's state and trustctl, each on its own connection.
struct ReminderStore {
    let db: Database

    // MARK: Calendar changes

    func changes() throws -> [OccurrenceChange] {
        try db.query("SELECT * FROM reminder_changes").compactMap(Self.change)
    }

    func change(of occurrenceID: String) throws -> (change: OccurrenceChange, messageID: String)? {
        let row = try db.query("SELECT * FROM reminder_changes WHERE occurrence_id = ?", [.text(occurrenceID)]).first
        return row.flatMap { r in Self.change(r).map { ($0, r.string("message_id") ?? "") } }
    }

    func schedule(_ calendar: ForumCalendar, schoolDays: SchoolDays? = nil) throws -> ReminderSchedule {
        ReminderSchedule(calendar: calendar, schoolDays: schoolDays, changes: try changes())
    }

    func save(_ change: OccurrenceChange, messageID: String, now: Date) throws {
        try db.execute("""
            INSERT INTO reminder_changes (occurrence_id, status, date, start_time, end_time, previous_date,
                previous_start, previous_end, sequence, reason, message_id, changed_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (occurrence_id) DO UPDATE SET status = excluded.status, date = excluded.date,
                start_time = excluded.start_time, end_time = excluded.end_time,
                previous_date = excluded.previous_date, previous_start = excluded.previous_start,
                previous_end = excluded.previous_end, sequence = excluded.sequence,
                reason = excluded.reason, message_id = excluded.message_id, changed_at = excluded.changed_at
            """, [.text(change.occurrenceID), .text(change.status.rawValue),
                  .text(change.slot.date.description), .text(change.slot.start.description),
                  .text(change.slot.end.description), .text(change.previous.date.description),
                  .text(change.previous.start.description), .text(change.previous.end.description),
                  .int(change.sequence), .optional(change.reason), .text(messageID), .text(Stamp.text(now))])
    }

    private static func change(_ row: Row) -> OccurrenceChange? {
        func slot(_ date: String, _ start: String, _ end: String) -> OccurrenceChange.Slot? {
            guard let d = row.string(date).flatMap(CalendarDate.init), let s = row.string(start).flatMap(ClockTime.init),
                  let e = row.string(end).flatMap(ClockTime.init) else { return nil }
            return OccurrenceChange.Slot(date: d, start: s, end: e)
        }
        guard let id = row.string("occurrence_id"),
              let status = row.string("status").flatMap(OccurrenceChange.Status.init(rawValue:)),
              let now = slot("date", "start_time", "end_time"),
              let before = slot("previous_date", "previous_start", "previous_end"),
              let sequence = row.int("sequence")
        else { return nil }
        return OccurrenceChange(occurrenceID: id, status: status, slot: now, previous: before,
                                sequence: sequence, reason: row.string("reason"))
    }

    // MARK: Mailings

    /// Creates the mailing if it is new and a pending delivery for each person not already in
    /// it: each person is mailed once per occurrence and lead time (or change), however many
    /// messages ask. Returns how many deliveries were added.
    @discardableResult
    func enqueue(_ mailing: Mailing, people: [Recipient], messageID: String, now: Date) throws -> Int {
        let stamp = SQLValue.text(Stamp.text(now))
        let key: [SQLValue] = [.text(mailing.occurrenceID), .text(mailing.kind.rawValue), .int(mailing.step)]
        try db.execute("""
            INSERT INTO reminder_mailings (occurrence_id, kind, step, forum_id, message_id, created_at)
            VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (occurrence_id, kind, step) DO NOTHING
            """, key + [.text(mailing.forumID), .text(messageID), stamp])
        let mailing = try db.scalar(
            "SELECT id FROM reminder_mailings WHERE occurrence_id = ? AND kind = ? AND step = ?", key)!
        var added = 0
        for person in people {
            added += try db.execute("""
                INSERT INTO reminder_deliveries (mailing_id, email, name, status, not_before, updated_at)
                VALUES (?, ?, ?, 'pending', ?, ?) ON CONFLICT (mailing_id, email) DO NOTHING
                """, [mailing, .text(person.email), .text(person.name), stamp, stamp])
        }
        if added > 0 {
            try db.execute("UPDATE reminder_mailings SET settled_at = NULL, announced_at = NULL WHERE id = ?", [mailing])
        }
        return added
    }

    /// Everyone already sent an e-mail about the occurrence: they hold its invitation, so they
    /// are the ones to tell of a change.
    func invited(to occurrenceID: String) throws -> [Recipient] {
        try db.query("""
            SELECT d.email, max(d.name) AS name FROM reminder_deliveries d
            JOIN reminder_mailings m ON m.id = d.mailing_id
            WHERE m.occurrence_id = ? AND d.status = 'sent' GROUP BY d.email ORDER BY d.email
            """, [.text(occurrenceID)]).map { Recipient(email: $0.string(0)!, name: $0.string(1) ?? "") }
    }

    /// Marks the occurrence's pending deliveries of `kinds` skipped, e.g. older notices once a
    /// newer change is announced, or reminders once it is cancelled.
    func skipPending(_ occurrenceID: String, kinds: [MailingKind], reason: String, now: Date) throws {
        let marks = Array(repeating: "?", count: kinds.count).joined(separator: ", ")
        try db.execute("""
            UPDATE reminder_deliveries SET status = 'skipped', reply = ?, updated_at = ?
            WHERE status = 'pending' AND mailing_id IN
                (SELECT id FROM reminder_mailings WHERE occurrence_id = ? AND kind IN (\(marks)))
            """, [.text(reason), .text(Stamp.text(now)), .text(occurrenceID)] + kinds.map { .text($0.rawValue) })
    }

    // MARK: Delivery

    /// The oldest pending deliveries that may be tried at `now`, each with its occurrence in
    /// `calendar` as changed so far.
    func pending(limit: Int, now: Date, calendar: ForumCalendar) throws -> [PendingDelivery] {
        let rows = try db.query("""
            SELECT d.id, m.occurrence_id, m.forum_id, m.kind, m.step, d.email, d.name, d.attempts
            FROM reminder_deliveries d JOIN reminder_mailings m ON m.id = d.mailing_id
            WHERE d.status = 'pending' AND d.not_before <= ? ORDER BY d.not_before, d.id LIMIT ?
            """, [.text(Stamp.text(now)), .int(limit)])
        guard !rows.isEmpty else { return [] }
        let schedule = try schedule(calendar)
        return rows.map { row in
            let mailing = Self.mailing(row)
            return PendingDelivery(id: row.int64(0)!, mailing: mailing,
                                   recipient: Recipient(email: row.string(5)!, name: row.string(6) ?? ""),
                                   attempts: row.int(7) ?? 0, occurrence: schedule.occurrence(id: mailing.occurrenceID))
        }
    }

    /// Records a chunk's outcomes. (Like the other writers here it uses a savepoint, which is a
    /// transaction of its own when called outside one and nests inside a caller's.)
    func record(_ outcomes: [(PendingDelivery, DeliveryOutcome)], now: Date) throws {
        let stamp = SQLValue.text(Stamp.text(now))
        try db.savepoint {
            for (delivery, outcome) in outcomes {
                let id = SQLValue.integer(delivery.id)
                switch outcome {
                case .sent(let reply):
                    let sequence = delivery.occurrence?.sequence ?? 0
                    try db.execute("""
                        UPDATE reminder_deliveries SET status = 'sent', attempts = attempts + 1, reply = ?,
                            sequence_sent = ?, updated_at = ? WHERE id = ?
                        """, [.text(reply), .int(sequence), stamp, id])
                    try followUp(delivery, sentSequence: sequence, now: now)
                case .failed(let reason):
                    try finish(id, status: "failed", attempted: true, reason: reason, stamp: stamp)
                case .skipped(let reason):
                    try finish(id, status: "skipped", attempted: false, reason: reason, stamp: stamp)
                case .deferred(let reason, let until):
                    try db.execute("""
                        UPDATE reminder_deliveries SET attempts = attempts + 1, reply = ?, not_before = ?, updated_at = ?
                        WHERE id = ?
                        """, [.text(reason), .text(Stamp.text(until)), stamp, id])
                }
            }
        }
    }

    private func finish(_ id: SQLValue, status: String, attempted: Bool, reason: String, stamp: SQLValue) throws {
        try db.execute("""
            UPDATE reminder_deliveries SET status = ?, attempts = attempts + ?, reply = ?, updated_at = ? WHERE id = ?
            """, [.text(status), .int(attempted ? 1 : 0), .text(reason), stamp, id])
    }

    /// An e-mail composed before a change committed carried the old SEQUENCE; its recipient
    /// was not among those the change's handler found already mailed, so they get the notice
    /// now. (The handler and this run in separate transactions, one after the other, so one of
    /// the two always sees the other's write; the unique key stops a second notice.)
    private func followUp(_ delivery: PendingDelivery, sentSequence: Int, now: Date) throws {
        let occurrence = delivery.mailing.occurrenceID
        guard let (change, messageID) = try change(of: occurrence), change.sequence > sentSequence else { return }
        try enqueue(Mailing(notice: change, forumID: delivery.mailing.forumID), people: [delivery.recipient],
                    messageID: messageID, now: now)
    }

    /// Marks mailings with nothing pending settled. Looked for first, so the common case
    /// (nothing to settle) takes no write lock.
    func settle(now: Date) throws {
        let unsettled = "settled_at IS NULL AND NOT EXISTS (SELECT 1 FROM reminder_deliveries d "
            + "WHERE d.mailing_id = reminder_mailings.id AND d.status = 'pending')"
        guard try db.scalar("SELECT EXISTS (SELECT 1 FROM reminder_mailings WHERE \(unsettled))")?.int64Value == 1
        else { return }
        try db.execute("UPDATE reminder_mailings SET settled_at = ? WHERE \(unsettled)", [.text(Stamp.text(now))])
    }

    /// Settled mailings whose `reminder.sent` event is not yet confirmed.
    func unannounced() throws -> [MailingSummary] {
        try db.query("""
            SELECT m.id, m.occurrence_id, m.forum_id, m.kind, m.step, m.settled_at, count(d.id),
                coalesce(sum(d.status = 'sent'), 0), coalesce(sum(d.status = 'failed'), 0),
                coalesce(sum(d.status = 'skipped'), 0)
            FROM reminder_mailings m LEFT JOIN reminder_deliveries d ON d.mailing_id = m.id
            WHERE m.settled_at IS NOT NULL AND m.announced_at IS NULL GROUP BY m.id ORDER BY m.id
            """).map { r in
            MailingSummary(id: r.int64(0)!, mailing: Self.mailing(r), settledAt: r.string(5)!,
                           recipients: r.int(6)!, sent: r.int(7)!, failed: r.int(8)!, skipped: r.int(9)!)
        }
    }

    /// Columns 1 to 4 of a row: occurrence, forum, kind, step.
    private static func mailing(_ row: Row) -> Mailing {
        Mailing(occurrenceID: row.string(1)!, forumID: row.string(2)!, kind: MailingKind(rawValue: row.string(3)!)!,
                step: row.int(4)!)
    }

    /// Only if still settled as announced: a mailing that grew meanwhile is announced again.
    func markAnnounced(_ summaries: [MailingSummary], now: Date) throws {
        try db.savepoint {
            for s in summaries {
                try db.execute("UPDATE reminder_mailings SET announced_at = ? WHERE id = ? AND settled_at = ?",
                               [.text(Stamp.text(now)), .integer(s.id), .text(s.settledAt)])
            }
        }
    }

    // MARK: Scheduler

    /// Reminder message ids already published, or already acted on by the worker (published by
    /// hand or by an earlier Scheduler), which must not be published again.
    func handledReminderIDs() throws -> Set<String> {
        Set(try db.query("""
            SELECT message_id FROM reminder_published
            UNION SELECT 'reminder.due:' || occurrence_id || ':' || step FROM reminder_mailings WHERE kind = 'reminder'
            """).compactMap { $0.string(0) })
    }

    func markPublished(_ due: [ReminderDue], now: Date) throws {
        try db.savepoint {
            for d in due {
                try db.execute("""
                    INSERT INTO reminder_published (message_id, occurrence_id, lead_days, due_at, published_at)
                    VALUES (?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING
                    """, [.text(d.messageID), .text(d.occurrenceID), .int(d.leadDays), .text(Stamp.text(d.dueAt)),
                          .text(Stamp.text(now))])
            }
        }
    }
}
