import Foundation
import Store

/// The processed-message ledger: which message ids this queue has already dealt with.
///
/// The common case, a message never seen before, costs one statement: `claim` inserts the
/// `processed` row up front and only on a conflict looks at what is already there. The row
/// commits or rolls back with the handler's effects, so it is proof of them.
final class Ledger {
    enum Outcome: String {
        case processed
        case retryScheduled = "retry-scheduled"
        case deadLettered = "dead-lettered"
    }

    let queue: String
    private let insert: Statement
    /// The stamp bound to `insert` now: bindings outlive a reset, so the queue is bound once
    /// and the stamp once per batch, leaving two values to bind per message.
    private var boundStamp: String?
    private let lookup: Statement
    private let upsert: Statement

    init(queue: String, db: Database) throws {
        self.queue = queue
        insert = try db.prepare("""
            INSERT INTO processed_messages (queue, message_id, outcome, attempts, detail, processed_at)
            VALUES (?, ?, 'processed', ?, NULL, ?) ON CONFLICT (queue, message_id) DO NOTHING
            """)
        try insert.bind(queue, at: 1)
        lookup = try db.prepare(
            "SELECT outcome, attempts FROM processed_messages WHERE queue = ? AND message_id = ?")
        upsert = try db.prepare("""
            INSERT INTO processed_messages (queue, message_id, outcome, attempts, detail, processed_at)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (queue, message_id) DO UPDATE SET outcome = excluded.outcome,
                attempts = excluded.attempts, detail = excluded.detail, processed_at = excluded.processed_at
            """)
    }

    /// Records `id` as processed unless it is a duplicate; returns false for a duplicate.
    ///
    /// A message is a duplicate when its id is settled (processed or dead-lettered), or when a
    /// retry copy with a higher attempt number is already on its way: the original, redelivered
    /// after a crash, must not run beside its own retry. An operator's replay of a
    /// dead-lettered message (`replayed`) is the one way to run a settled id again.
    func claim(_ id: String, attempt: Int, replayed: Bool, stamp: String) throws -> Bool {
        if stamp != boundStamp {
            try insert.bind(stamp, at: 4)
            boundStamp = stamp
        }
        try insert.bind(id, at: 2)
        try insert.bind(attempt, at: 3)
        if try insert.execute() == 1 { return true }
        try lookup.bind(queue, at: 1)
        try lookup.bind(id, at: 2)
        defer { lookup.reset() }
        guard try lookup.step() else { return true }
        let outcome = lookup.string(at: 0)
        let retryDue = outcome == Outcome.retryScheduled.rawValue && attempt >= Int(lookup.int64(at: 1))
        let replay = outcome == Outcome.deadLettered.rawValue && replayed
        guard retryDue || replay else { return false }
        lookup.reset()
        try record(id, outcome: .processed, attempts: attempt, detail: nil, stamp: stamp)
        return true
    }

    func record(_ id: String, outcome: Outcome, attempts: Int, detail: String?, stamp: String) throws {
        try upsert.run([.text(queue), .text(id), .text(outcome.rawValue), .int(attempts), .optional(detail),
                        .text(stamp)])
    }
}

/// Per-batch counts, added to `worker_counters` inside the batch's own transaction so the
/// operator's figures always agree with the effects that committed.
final class Counters {
    let worker: String
    var consumed = 0
    var processed = 0
    var duplicates = 0
    var retried = 0
    var deadLettered = 0

    init(worker: String) { self.worker = worker }

    func reset(consumed n: Int) {
        consumed = n
        processed = 0
        duplicates = 0
        retried = 0
        deadLettered = 0
    }

    func save(batchMilliseconds ms: Double, stamp: String, in db: Database) throws {
        let deltas: [(String, Int)] = [
            ("consumed", consumed), ("processed", processed), ("duplicates", duplicates),
            ("retried", retried), ("dead_lettered", deadLettered), ("batches", 1),
            ("batch_commit_us_total", Int(ms * 1000)), ("last_batch_size", consumed),
        ]
        for (name, delta) in deltas where delta != 0 {
            let replace = name.hasPrefix("last_")
            try db.execute("""
                INSERT INTO worker_counters (worker, name, value, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (worker, name) DO UPDATE SET
                    value = \(replace ? "excluded.value" : "value + excluded.value"), updated_at = excluded.updated_at
                """, [.text(worker), .text(name), .int(delta), .text(stamp)])
        }
        try db.execute("""
            INSERT INTO worker_counters (worker, name, value, updated_at) VALUES (?, 'batch_commit_us_max', ?, ?)
            ON CONFLICT (worker, name) DO UPDATE SET value = max(value, excluded.value), updated_at = excluded.updated_at
            """, [.text(worker), .int(Int(ms * 1000)), .text(stamp)])
    }

    func error(queue: String, messageID: String?, kind: String, reason: String, stamp: String, in db: Database) throws {
        try db.execute("""
            INSERT INTO worker_errors (worker, queue, message_id, kind, reason, at) VALUES (?, ?, ?, ?, ?, ?)
            """, [.text(worker), .text(queue), .optional(messageID), .text(kind), .text(reason), .text(stamp)])
    }
}
