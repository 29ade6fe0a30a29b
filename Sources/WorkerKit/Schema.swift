import Store

/// The runtime's own tables. Handler migrations use versions from 100 up so the two sets
/// never collide.
enum RuntimeSchema {
    /// `processed_messages`: one row per id of `message_ledger`, with queue names and ISO times.
    private static let ledgerView = """
        CREATE VIEW processed_messages (queue, message_id, outcome, attempts, detail, processed_at) AS
            SELECT q.name, l.message_id,
                   CASE l.outcome WHEN 0 THEN 'processed' WHEN 1 THEN 'retry-scheduled' ELSE 'dead-lettered' END,
                   l.attempts, l.detail,
                   strftime('%Y-%m-%dT%H:%M:%fZ', l.at_ms / 1000.0, 'unixepoch')
            FROM message_ledger l JOIN ledger_queues q ON q.id = l.queue_id
        """
    static let migrations: [Migration] = [
        Migration(version: 1, name: "runtime: processed-message ledger, outbox, metrics", sql: """
            -- One row per message id and queue: the proof that a message's effects are committed.
            CREATE TABLE processed_messages (
                queue TEXT NOT NULL,
                message_id TEXT NOT NULL,
                -- OR, not IN: SQLite 3.40 builds a temporary b-tree for an IN list on every insert.
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
        // Compact rows: a queue number, the id, and integer outcome, attempts and milliseconds;
        // `processed_messages` stays a view with version 1's columns.
        Migration(version: 2, name: "runtime: compact processed-message ledger", sql: """
            CREATE TABLE ledger_queues (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE
            );
            CREATE TABLE message_ledger (
                queue_id INTEGER NOT NULL,
                message_id TEXT NOT NULL,
                -- 0 processed, 1 retry-scheduled, 2 dead-lettered (see Ledger.Outcome).
                outcome INTEGER NOT NULL CHECK (outcome >= 0 AND outcome <= 2),
                attempts INTEGER NOT NULL DEFAULT 0,
                detail TEXT,
                -- Milliseconds since 1970, UTC.
                at_ms INTEGER NOT NULL,
                -- The id first: SQLite then compares keys with its fast path for a leading
                -- text column, and most comparisons end at the id (queue first, every key
                -- in a queue tied on it and fell through to the general comparison).
                PRIMARY KEY (message_id, queue_id)
            ) WITHOUT ROWID;
            INSERT INTO ledger_queues (name) SELECT DISTINCT queue FROM processed_messages ORDER BY queue;
            INSERT INTO message_ledger (queue_id, message_id, outcome, attempts, detail, at_ms)
                SELECT q.id, p.message_id,
                       CASE p.outcome WHEN 'processed' THEN 0 WHEN 'retry-scheduled' THEN 1 ELSE 2 END,
                       p.attempts, p.detail,
                       CAST(round((julianday(p.processed_at) - 2440587.5) * 86400000) AS INTEGER)
                FROM processed_messages p JOIN ledger_queues q ON q.name = p.queue;
            DROP TABLE processed_messages;
            \(ledgerView);
            """),
        // A journal row of ids per transaction; migration 5 folds it back into `message_ledger`.
        Migration(version: 3, name: "runtime: ledger journal, one row per transaction", sql: """
            CREATE TABLE ledger_batches (
                -- AUTOINCREMENT: ids never go back, even after a purge of the newest rows, so
                -- a consumer catching up from the last id it saw misses nothing.
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                queue_id INTEGER NOT NULL,
                -- Milliseconds since 1970, UTC.
                at_ms INTEGER NOT NULL,
                -- A JSON array of the message ids (strings) this transaction made known.
                message_ids TEXT NOT NULL
            );
            CREATE INDEX ledger_batches_by_queue ON ledger_batches (queue_id, id);
            INSERT INTO ledger_batches (queue_id, at_ms, message_ids)
                SELECT queue_id, at_ms, json_group_array(message_id) FROM message_ledger
                GROUP BY queue_id, at_ms ORDER BY at_ms, queue_id;
            DELETE FROM message_ledger WHERE outcome = 0 AND attempts = 0 AND detail IS NULL;
            DROP VIEW processed_messages;
            \(ledgerView)
                UNION ALL
                SELECT q.name, j.value, 'processed', 0, NULL,
                       strftime('%Y-%m-%dT%H:%M:%fZ', b.at_ms / 1000.0, 'unixepoch')
                FROM ledger_batches b JOIN ledger_queues q ON q.id = b.queue_id JOIN json_each(b.message_ids) j
                WHERE NOT EXISTS (SELECT 1 FROM message_ledger l WHERE l.message_id = j.value AND l.queue_id = b.queue_id);
            """),
        // One counters row per worker, one statement per batch; `worker_counters` stays a view
        // with version 1's rows.
        Migration(version: 4, name: "runtime: one counters row per worker", sql: """
            CREATE TABLE worker_totals (
                worker TEXT PRIMARY KEY,
                consumed INTEGER NOT NULL DEFAULT 0,
                processed INTEGER NOT NULL DEFAULT 0,
                duplicates INTEGER NOT NULL DEFAULT 0,
                retried INTEGER NOT NULL DEFAULT 0,
                dead_lettered INTEGER NOT NULL DEFAULT 0,
                batches INTEGER NOT NULL DEFAULT 0,
                batch_commit_us_total INTEGER NOT NULL DEFAULT 0,
                batch_commit_us_max INTEGER NOT NULL DEFAULT 0,
                last_batch_size INTEGER NOT NULL DEFAULT 0,
                updated_at TEXT NOT NULL
            ) WITHOUT ROWID;
            INSERT INTO worker_totals (worker, consumed, processed, duplicates, retried, dead_lettered, batches,
                                       batch_commit_us_total, batch_commit_us_max, last_batch_size, updated_at)
                SELECT worker,
                       coalesce(max(CASE name WHEN 'consumed' THEN value END), 0),
                       coalesce(max(CASE name WHEN 'processed' THEN value END), 0),
                       coalesce(max(CASE name WHEN 'duplicates' THEN value END), 0),
                       coalesce(max(CASE name WHEN 'retried' THEN value END), 0),
                       coalesce(max(CASE name WHEN 'dead_lettered' THEN value END), 0),
                       coalesce(max(CASE name WHEN 'batches' THEN value END), 0),
                       coalesce(max(CASE name WHEN 'batch_commit_us_total' THEN value END), 0),
                       coalesce(max(CASE name WHEN 'batch_commit_us_max' THEN value END), 0),
                       coalesce(max(CASE name WHEN 'last_batch_size' THEN value END), 0),
                       max(updated_at)
                FROM worker_counters GROUP BY worker;
            DROP TABLE worker_counters;
            CREATE VIEW worker_counters (worker, name, value, updated_at) AS
                SELECT worker, 'consumed', consumed, updated_at FROM worker_totals
                UNION ALL SELECT worker, 'processed', processed, updated_at FROM worker_totals
                UNION ALL SELECT worker, 'duplicates', duplicates, updated_at FROM worker_totals
                UNION ALL SELECT worker, 'retried', retried, updated_at FROM worker_totals
                UNION ALL SELECT worker, 'dead_lettered', dead_lettered, updated_at FROM worker_totals
                UNION ALL SELECT worker, 'batches', batches, updated_at FROM worker_totals
                UNION ALL SELECT worker, 'batch_commit_us_total', batch_commit_us_total, updated_at FROM worker_totals
                UNION ALL SELECT worker, 'batch_commit_us_max', batch_commit_us_max, updated_at FROM worker_totals
                UNION ALL SELECT worker, 'last_batch_size', last_batch_size, updated_at FROM worker_totals;
            """),
        // One `message_ledger` row per message again: the journal's ids move back into it.
        Migration(version: 5, name: "runtime: one ledger row per message", sql: """
            INSERT INTO message_ledger (queue_id, message_id, outcome, attempts, detail, at_ms)
                SELECT b.queue_id, j.value, 0, 0, NULL, b.at_ms FROM ledger_batches b JOIN json_each(b.message_ids) j
                WHERE true ON CONFLICT (message_id, queue_id) DO NOTHING;
            DROP VIEW processed_messages;
            DROP TABLE ledger_batches;
            \(ledgerView);
            """),
    ]
}
