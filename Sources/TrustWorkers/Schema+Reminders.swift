import Store

extension TrustSchema {
    /// Times are UTC text in one fixed format (`2021-09-09T06:00:00.000Z`), so they sort and
    /// compare as strings.
    static let reminders: [Migration] = [
        Migration(version: 400, name: "reminders: calendar changes, published reminders, mailings, deliveries", sql: """
            -- Occurrences moved or cancelled by calendar.update. forums.json stays the calendar as
            -- published; this is what changed since, with the iCalendar SEQUENCE per occurrence.
            CREATE TABLE reminder_changes (
                occurrence_id TEXT PRIMARY KEY,
                status TEXT NOT NULL CHECK (status IN ('moved', 'cancelled')),
                date TEXT NOT NULL,
                start_time TEXT NOT NULL,
                end_time TEXT NOT NULL,
                previous_date TEXT NOT NULL,
                previous_start TEXT NOT NULL,
                previous_end TEXT NOT NULL,
                sequence INTEGER NOT NULL CHECK (sequence > 0),
                reason TEXT,
                message_id TEXT NOT NULL,
                changed_at TEXT NOT NULL
            ) WITHOUT ROWID;

            -- reminder.due messages the Scheduler has published (confirmed by the broker), so a
            -- restarted Scheduler neither repeats nor forgets one.
            CREATE TABLE reminder_published (
                message_id TEXT PRIMARY KEY,
                occurrence_id TEXT NOT NULL,
                lead_days INTEGER NOT NULL,
                due_at TEXT NOT NULL,
                published_at TEXT NOT NULL
            ) WITHOUT ROWID;

            -- One mailing: the reminder of an occurrence at one lead time (step = lead days), or
            -- a notice of one change (step = the SEQUENCE it announces). Settled when no delivery
            -- is pending; announced once reminder.sent is confirmed on trust.events.
            CREATE TABLE reminder_mailings (
                id INTEGER PRIMARY KEY,
                occurrence_id TEXT NOT NULL,
                forum_id TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('reminder', 'moved', 'cancelled')),
                step INTEGER NOT NULL,
                message_id TEXT NOT NULL,
                created_at TEXT NOT NULL,
                settled_at TEXT,
                announced_at TEXT,
                UNIQUE (occurrence_id, kind, step)
            );

            -- One e-mail to one person. The handler commits rows as pending; the delivery pump
            -- sends them and records the outcome with the server's reply.
            CREATE TABLE reminder_deliveries (
                id INTEGER PRIMARY KEY,
                mailing_id INTEGER NOT NULL REFERENCES reminder_mailings (id),
                email TEXT NOT NULL,
                name TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
                attempts INTEGER NOT NULL DEFAULT 0,
                not_before TEXT NOT NULL,
                sequence_sent INTEGER,
                reply TEXT,
                updated_at TEXT NOT NULL,
                UNIQUE (mailing_id, email)
            );
            CREATE INDEX reminder_deliveries_pending ON reminder_deliveries (not_before, id)
                WHERE status = 'pending';
            CREATE INDEX reminder_deliveries_by_mailing ON reminder_deliveries (mailing_id, status);
            """),
    ]
}
