import Store

extension TrustSchema {
    static let newsletter: [Migration] = [
        Migration(version: 300, name: "newsletter: items, issues, delivery ledger", sql: """
            -- Items as they arrive; issue_number is set when an issue takes them, so "every item
            -- since the previous issue" is exactly the rows still without one.
            CREATE TABLE newsletter_items (
                id INTEGER PRIMARY KEY,
                message_id TEXT NOT NULL UNIQUE,
                title TEXT NOT NULL,
                body TEXT NOT NULL,
                category TEXT NOT NULL,
                academy TEXT,
                author TEXT NOT NULL,
                received_at TEXT NOT NULL,
                issue_number INTEGER REFERENCES newsletter_issues (number)
            );
            CREATE INDEX newsletter_items_unissued ON newsletter_items (id) WHERE issue_number IS NULL;
            -- One row per issue. content is the self-contained issue (JSON) the delivery pump
            -- renders each recipient's copy from; html and text are the archive copy.
            CREATE TABLE newsletter_issues (
                number INTEGER PRIMARY KEY,
                issue_date TEXT NOT NULL UNIQUE,
                assembled_at TEXT NOT NULL,
                content BLOB NOT NULL,
                html TEXT NOT NULL,
                text TEXT NOT NULL,
                archive_path TEXT NOT NULL,
                recipients INTEGER NOT NULL,
                -- Set when no delivery is pending any more; announced_at once newsletter.sent
                -- has been confirmed by the broker.
                settled_at TEXT,
                announced_at TEXT
            );
            -- The delivery ledger: one row per issue and recipient, written 'pending' in the
            -- assemble message's transaction and moved on by the delivery pump after the SMTP
            -- server answers. Name, affiliation and roles are a snapshot of the directory at
            -- assembly, so a copy resent after a crash is the copy first sent.
            CREATE TABLE newsletter_deliveries (
                issue_number INTEGER NOT NULL REFERENCES newsletter_issues (number),
                email TEXT NOT NULL,
                name TEXT NOT NULL,
                affiliation TEXT NOT NULL,
                roles TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at TEXT,
                reply TEXT,
                updated_at TEXT,
                PRIMARY KEY (issue_number, email)
            ) WITHOUT ROWID;
            CREATE INDEX newsletter_deliveries_pending ON newsletter_deliveries (issue_number, email)
                WHERE status = 'pending';
            """),
    ]
}

extension TrustSchema {
    /// Appended to ``newsletter`` by ``all``: items' dates and authors' addresses, and the
    /// notices telling authors which issue carries their item.
    static let newsletterCalendar: [Migration] = [
        Migration(version: 310, name: "newsletter: item event dates, author notices", sql: """
            -- The day an item is about (an event, a deadline), and where its author is told
            -- which issue carries it.
            ALTER TABLE newsletter_items ADD COLUMN event_date TEXT;
            ALTER TABLE newsletter_items ADD COLUMN author_email TEXT;
            -- One notice per item with an author address, written pending with the item and
            -- sent by its delivery engine from not_before (a working day's send time).
            CREATE TABLE newsletter_notices (
                item_id INTEGER PRIMARY KEY,
                email TEXT NOT NULL,
                author TEXT NOT NULL,
                title TEXT NOT NULL,
                issue_number INTEGER NOT NULL,
                issue_date TEXT NOT NULL,
                cutoff_at TEXT NOT NULL,
                since_last_issue INTEGER NOT NULL,
                status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
                attempts INTEGER NOT NULL DEFAULT 0,
                not_before TEXT NOT NULL,
                reply TEXT,
                updated_at TEXT
            );
            CREATE INDEX newsletter_notices_pending ON newsletter_notices (not_before) WHERE status = 'pending';
            """),
    ]
}
