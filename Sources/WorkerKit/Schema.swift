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
    ]
}
