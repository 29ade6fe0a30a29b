import Store

extension TrustSchema {
    static let dataDrop: [Migration] = [
        Migration(version: 100, name: "data drops: pupils, submissions, aggregates, reports", sql: """
            -- Pupil rows of the accepted file per academy and drop. No names exist; the UPN is
            -- only present as a keyed HMAC (pupil_key), so this table identifies no one alone.
            CREATE TABLE drop_pupils (
                academy TEXT NOT NULL,
                drop_id TEXT NOT NULL,
                pupil_key TEXT NOT NULL,
                year TEXT NOT NULL,
                gender TEXT,
                pp INTEGER NOT NULL,
                eal INTEGER NOT NULL,
                send TEXT NOT NULL,
                reading TEXT, writing TEXT, maths TEXT,
                reading_target TEXT, writing_target TEXT, maths_target TEXT,
                gld INTEGER, phonics INTEGER, mtc INTEGER,
                PRIMARY KEY (academy, drop_id, pupil_key)
            ) WITHOUT ROWID;
            -- The current state per academy and drop: what is stored, and the latest attempt.
            CREATE TABLE drop_submissions (
                academy TEXT NOT NULL,
                drop_id TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
                received_at TEXT NOT NULL,
                accepted_at TEXT,
                pupils INTEGER,
                error_count INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (academy, drop_id)
            ) WITHOUT ROWID;
            -- Every file received, accepted or not, with its errors (UPNs masked).
            CREATE TABLE drop_attempts (
                id INTEGER PRIMARY KEY,
                academy TEXT NOT NULL,
                drop_id TEXT NOT NULL,
                message_id TEXT NOT NULL,
                submitted_by TEXT,
                status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
                received_at TEXT NOT NULL,
                pupils INTEGER,
                error_count INTEGER NOT NULL,
                errors_json TEXT
            );
            CREATE INDEX drop_attempts_by_drop ON drop_attempts (drop_id, academy, id);
            CREATE TABLE drop_aggregates (
                academy TEXT NOT NULL,
                drop_id TEXT NOT NULL,
                aggregates_json TEXT NOT NULL,
                computed_at TEXT NOT NULL,
                PRIMARY KEY (academy, drop_id)
            ) WITHOUT ROWID;
            CREATE TABLE board_reports (
                drop_id TEXT PRIMARY KEY,
                generated_at TEXT NOT NULL,
                academies INTEGER NOT NULL,
                html_path TEXT,
                report_json TEXT NOT NULL
            );
            """),
        Migration(version: 101, name: "data drops: demographics beside aggregates", sql: """
        -- Head counts of the whole drop (pupils, PP, EAL, SEND, EHC plans), for the report's
        -- profile beside Config/academies.json.
        ALTER TABLE drop_aggregates ADD COLUMN demographics_json TEXT;
        """),
        Migration(version: 102, name: "data drops: one submission state, notices to academies and the Board", sql: """
        -- Where each academy stands is computed from drop_attempts alone (DropStates), so the
        -- table that kept a second copy of it, and could disagree with it, goes.
        DROP TABLE drop_submissions;
        -- One row per e-mail the drop process owes: a receipt or refusal per file, a reminder
        -- or chaser per academy and drop, the data manager's summary, the Board report. The id
        -- names the event, so recording it again changes nothing.
        CREATE TABLE drop_notices (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            drop_id TEXT NOT NULL,
            academy TEXT,
            subject TEXT NOT NULL,
            text TEXT NOT NULL,
            attachment_name TEXT,
            attachment BLOB,
            created_at TEXT NOT NULL
        );
        -- Who each notice goes to, as the directory said when it was recorded.
        CREATE TABLE drop_notice_deliveries (
            notice_id TEXT NOT NULL REFERENCES drop_notices (id),
            email TEXT NOT NULL,
            name TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            reply TEXT,
            next_attempt_at TEXT,
            updated_at TEXT,
            PRIMARY KEY (notice_id, email)
        ) WITHOUT ROWID;
        CREATE INDEX drop_notice_deliveries_pending ON drop_notice_deliveries (status, notice_id);
        """),
    ]
}
