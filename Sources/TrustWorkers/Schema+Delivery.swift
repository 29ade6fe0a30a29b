import Store

extension TrustSchema {
    /// The delivery engine's relay rules (pacing, sender-level pauses) and the newsletter
    /// editor's controls (approval, pause, resume, cancel, previews).
    static let delivery: [Migration] = [
        Migration(version: 600, name: "delivery: relay sends, sender pauses; newsletter states and previews", sql: """
            -- Every message a delivery engine handed to the relay, by sending mailbox: the
            -- pacer's history (messages a minute, recipients a rolling day), shared by every
            -- engine and process on the database. Rows older than two days are deleted.
            CREATE TABLE relay_sends (
                id INTEGER PRIMARY KEY,
                sender TEXT NOT NULL,
                kind TEXT NOT NULL,
                -- Milliseconds since 1970 (UTC) on the engine's clock: compared by the pacer
                -- thousands of times a day, so a number rather than text.
                sent_at_ms INTEGER NOT NULL,
                recipients INTEGER NOT NULL
            );
            CREATE INDEX relay_sends_by_sender ON relay_sends (sender, sent_at_ms);

            -- A delivery engine stopped by a sender-level reply (authentication, throttling,
            -- quota): nothing of its kind is sent before resume_at, and no row changes. One row
            -- per kind while paused, deleted by the first message the relay accepts again;
            -- announced_at is set once delivery.paused is confirmed on trust.events.
            CREATE TABLE delivery_pauses (
                kind TEXT PRIMARY KEY,
                sender TEXT NOT NULL,
                reason TEXT NOT NULL CHECK (reason IN ('sender', 'quota')),
                reply TEXT NOT NULL,
                paused_at TEXT NOT NULL,
                resume_at TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                announced_at TEXT
            ) WITHOUT ROWID;

            -- An issue's sending state, set by the editor: awaiting_approval (assembled while
            -- newsletter.json asks for approval), sending, paused, cancelled.
            ALTER TABLE newsletter_issues ADD COLUMN state TEXT NOT NULL DEFAULT 'sending'
                CHECK (state IN ('awaiting_approval', 'sending', 'paused', 'cancelled'));
            ALTER TABLE newsletter_issues ADD COLUMN state_changed_at TEXT;

            -- Deliveries gain 'cancelled': pending when the issue was cancelled, never sent.
            PRAGMA defer_foreign_keys = ON;
            CREATE TABLE newsletter_deliveries_600 (
                issue_number INTEGER NOT NULL REFERENCES newsletter_issues (number),
                email TEXT NOT NULL,
                name TEXT NOT NULL,
                affiliation TEXT NOT NULL,
                roles TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at TEXT,
                reply TEXT,
                updated_at TEXT,
                PRIMARY KEY (issue_number, email)
            ) WITHOUT ROWID;
            INSERT INTO newsletter_deliveries_600 SELECT issue_number, email, name, affiliation, roles, status, attempts,
                next_attempt_at, reply, updated_at FROM newsletter_deliveries;
            DROP TABLE newsletter_deliveries;
            ALTER TABLE newsletter_deliveries_600 RENAME TO newsletter_deliveries;
            CREATE INDEX newsletter_deliveries_pending ON newsletter_deliveries (issue_number, email)
                WHERE status = 'pending';

            -- `trustctl news preview`: the next issue as it stands, rendered for a preview list
            -- and sent by its own delivery engine; not an issue, never numbered or archived.
            CREATE TABLE newsletter_previews (
                id INTEGER PRIMARY KEY,
                message_id TEXT NOT NULL UNIQUE,
                issue_number INTEGER NOT NULL,
                issue_date TEXT NOT NULL,
                content BLOB NOT NULL,
                requested_at TEXT NOT NULL,
                settled_at TEXT,
                announced_at TEXT
            );
            CREATE TABLE newsletter_preview_deliveries (
                preview_id INTEGER NOT NULL REFERENCES newsletter_previews (id),
                email TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at TEXT,
                reply TEXT,
                updated_at TEXT,
                PRIMARY KEY (preview_id, email)
            ) WITHOUT ROWID;
            """),
    ]
}
