import Store

/// The runtime's own tables. Handler migrations use versions from 100 up so the two sets
/// never collide.
enum RuntimeSchema {
    static let migrations: [Migration] = [
        Migration(version: 1, name: "runtime: processed-message ledger, outbox, metrics", sql: """
            -- One row per message id and queue: the proof that a message's effects are committed.
            CREATE TABLE processed_messages (
                queue TEXT NOT NULL,
                message_id TEXT NOT NULL,
                -- Written with OR, not IN: SQLite 3.40 builds a temporary index for an IN list on
                -- every insert, which profiling showed as a tenth of the worker's CPU.
                outcome TEXT NOT NULL CHECK (outcome = 'processed' OR outcome = 'retry-scheduled'
                                             OR outcome = 'dead-lettered'),
                attempts INTEGER NOT NULL DEFAULT 0,
                detail TEXT,
                processed_at TEXT NOT NULL,
                PRIMARY KEY (queue, message_id)
            ) WITHOUT ROWID;
            -- Events committed with their effects, published after commit, then deleted.
            CREATE TABLE outbox (
                id INTEGER PRIMARY KEY,
                exchange TEXT NOT NULL,
                routing_key TEXT NOT NULL,
                message_id TEXT NOT NULL,
                type TEXT NOT NULL,
                content_type TEXT NOT NULL,
                body BLOB NOT NULL,
                created_at TEXT NOT NULL
            );
            CREATE TABLE worker_counters (
                worker TEXT NOT NULL,
                name TEXT NOT NULL,
                value INTEGER NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (worker, name)
            ) WITHOUT ROWID;
            CREATE TABLE worker_errors (
                id INTEGER PRIMARY KEY,
                worker TEXT NOT NULL,
                queue TEXT NOT NULL,
                message_id TEXT,
                kind TEXT NOT NULL,
                reason TEXT NOT NULL,
                at TEXT NOT NULL
            );
            CREATE INDEX worker_errors_by_worker ON worker_errors (worker, id);
            """),
        // Version 1 kept one keyed row per message: a B-tree insert on every message's hot
        // path, which cost as much CPU as the rest of the worker's per-message work together.
        // Version 2 is an append-only log (see `Ledger`): one row per batch for the ids it
        // processed at their first attempt, one row per other outcome, the latest entry for an
        // id being its state. `processed_messages` stays as a view with version 1's columns and
        // one row per queue and id, so operators and their queries see no change.
        Migration(version: 2, name: "runtime: append-only processed-message log", sql: """
            CREATE TABLE ledger_queues (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE
            );
            CREATE TABLE ledger_log (
                -- AUTOINCREMENT: never reused, even after a purge empties the table, because
                -- consumers follow the log by seq.
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                queue_id INTEGER NOT NULL,
                -- Milliseconds since 1970, UTC.
                at_ms INTEGER NOT NULL,
                -- A batch row: a JSON array of ids processed at their first attempt.
                ids TEXT,
                -- An entry row: one id's outcome, 0 processed, 1 retry-scheduled, 2 dead-lettered.
                message_id TEXT,
                outcome INTEGER CHECK (outcome >= 0 AND outcome <= 2),
                attempts INTEGER,
                detail TEXT,
                CHECK ((ids IS NULL) <> (message_id IS NULL)),
                CHECK (message_id IS NULL OR (outcome IS NOT NULL AND attempts IS NOT NULL))
            );
            INSERT INTO ledger_queues (name) SELECT DISTINCT queue FROM processed_messages ORDER BY queue;
            INSERT INTO ledger_log (queue_id, at_ms, message_id, outcome, attempts, detail)
                SELECT q.id, CAST(round((julianday(p.processed_at) - 2440587.5) * 86400000) AS INTEGER),
                       p.message_id,
                       CASE p.outcome WHEN 'processed' THEN 0 WHEN 'retry-scheduled' THEN 1 ELSE 2 END,
                       p.attempts, p.detail
                FROM processed_messages p JOIN ledger_queues q ON q.name = p.queue
                ORDER BY p.processed_at;
            DROP TABLE processed_messages;
            CREATE VIEW processed_messages (queue, message_id, outcome, attempts, detail, processed_at) AS
                WITH entries (seq, queue_id, message_id, outcome, attempts, detail, at_ms) AS (
                    SELECT l.seq, l.queue_id, j.value, 0, 0, NULL, l.at_ms
                    FROM ledger_log l, json_each(l.ids) j WHERE l.ids IS NOT NULL
                    UNION ALL
                    SELECT seq, queue_id, message_id, outcome, attempts, detail, at_ms
                    FROM ledger_log WHERE message_id IS NOT NULL),
                latest AS (
                    -- SQLite takes the bare columns from the row holding max(seq).
                    SELECT queue_id, message_id, outcome, attempts, detail, at_ms, max(seq)
                    FROM entries GROUP BY queue_id, message_id)
                SELECT q.name, l.message_id,
                       CASE l.outcome WHEN 0 THEN 'processed' WHEN 1 THEN 'retry-scheduled' ELSE 'dead-lettered' END,
                       l.attempts, l.detail,
                       strftime('%Y-%m-%dT%H:%M:%fZ', l.at_ms / 1000.0, 'unixepoch')
                FROM latest l JOIN ledger_queues q ON q.id = l.queue_id;
            """),
    ]
}
