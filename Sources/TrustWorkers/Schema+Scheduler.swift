import Store

extension TrustSchema {
    static let scheduler: [Migration] = [
        Migration(version: 500, name: "scheduler: what has been published", sql: """
            -- One row per scheduled message the broker confirmed (e.g. a newsletter issue date),
            -- so a restart neither repeats nor skips it.
            CREATE TABLE scheduler_published (
                kind TEXT NOT NULL,
                key TEXT NOT NULL,
                message_id TEXT NOT NULL,
                published_at TEXT NOT NULL,
                PRIMARY KEY (kind, key)
            ) WITHOUT ROWID;
            """),
    ]
}
