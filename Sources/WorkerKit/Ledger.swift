import Foundation
import Store

/// The processed-message ledger: which message ids a queue has already dealt with.
///
/// One `message_ledger` row per message id and queue, written in the same transaction as the
/// handler's effects, so the row is the proof of them. A claim is an `INSERT … ON CONFLICT DO
/// NOTHING`: a new id inserts its row, a known one changes nothing and its existing row says
/// whether it may run again (a retry that is due, an operator's replay of a dead letter).
final class Ledger {
    /// Stored as these integers; the view `processed_messages` spells them out.
    enum Outcome: Int {
        case processed = 0
        case retryScheduled = 1
        case deadLettered = 2
    }

    let queue: String
    private let db: Database
    /// The queue's number in `ledger_queues`: rows carry it instead of the name.
    private let queueID: Int64
    /// Prepared once, with the queue bound once: a claim runs per message.
    private let insert: Statement
    private let lookup: Statement

    init(queue: String, db: Database) throws {
        self.queue = queue
        self.db = db
        // Consumers in several processes may register the same queue at once; the UNIQUE
        // name makes that a no-op for all but the first.
        try db.execute("INSERT INTO ledger_queues (name) VALUES (?) ON CONFLICT (name) DO NOTHING", [.text(queue)])
        guard let id = try db.scalar("SELECT id FROM ledger_queues WHERE name = ?", [.text(queue)])?.int64Value else {
            throw StoreError(code: 0, message: "ledger_queues has no row for \(queue) after inserting it")
        }
        queueID = id
        insert = try db.prepare("""
            INSERT INTO message_ledger (queue_id, message_id, outcome, attempts, at_ms) VALUES (?1, ?2, 0, ?3, ?4)
            ON CONFLICT (message_id, queue_id) DO NOTHING
            """)
        lookup = try db.prepare("SELECT outcome, attempts FROM message_ledger WHERE queue_id = ?1 AND message_id = ?2")
        try insert.bind(id, at: 1)
        try lookup.bind(id, at: 1)
    }

    /// Records `id` as processed unless it is a duplicate; returns false for a duplicate.
    ///
    /// A message is a duplicate when its id is settled (processed or dead-lettered), or when a
    /// retry copy with a higher attempt number is already on its way: the original, redelivered
    /// after a crash, must not run beside its own retry. An operator's replay of a
    /// dead-lettered message (`replayed`) is the one way to run a settled id again.
    func claim(_ id: String, attempt: Int, replayed: Bool, at millis: Int64) throws -> Bool {
        try insert.bind(id, at: 2)
        try insert.bind(attempt, at: 3)
        try insert.bind(millis, at: 4)
        if try insert.execute() == 1 { return true }
        try lookup.bind(id, at: 2)
        let (outcome, attempts) = try lookup.step() ? (Outcome(rawValue: Int(lookup.int64(at: 0))), Int(lookup.int64(at: 1)))
                                                    : (nil, 0)
        lookup.reset()
        let retryDue = outcome == .retryScheduled && attempt >= attempts
        let replay = outcome == .deadLettered && replayed
        guard retryDue || replay else { return false }
        try record(id, outcome: .processed, attempts: attempt, detail: nil, at: millis)
        return true
    }

    /// Writes what became of `id`, replacing what the ledger said of it before.
    func record(_ id: String, outcome: Outcome, attempts: Int, detail: String?, at millis: Int64) throws {
        try db.execute("""
            INSERT INTO message_ledger (queue_id, message_id, outcome, attempts, detail, at_ms) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (message_id, queue_id) DO UPDATE SET outcome = excluded.outcome,
                attempts = excluded.attempts, detail = excluded.detail, at_ms = excluded.at_ms
            """, [.integer(queueID), .text(id), .int(outcome.rawValue), .int(attempts), .optional(detail),
                  .integer(millis)])
    }
}

/// Per-batch counts, added to the worker's row of `worker_totals` (read through the view
/// `worker_counters`) inside the batch's own transaction, so the operator's figures always
/// agree with the effects that committed.
final class Counters {
    let worker: String
    var consumed = 0
    var processed = 0
    var duplicates = 0
    var retried = 0
    var deadLettered = 0
    /// All of a batch's counters in one statement, prepared once, on the worker's one row of
    /// `worker_totals` (migration 4).
    private var save: Statement?

    init(worker: String) { self.worker = worker }

    func reset(consumed n: Int) {
        consumed = n
        processed = 0
        duplicates = 0
        retried = 0
        deadLettered = 0
    }

    func save(batchMilliseconds ms: Double, stamp: String, in db: Database) throws {
        let statement = try save ?? db.prepare("""
            INSERT INTO worker_totals (worker, consumed, processed, duplicates, retried, dead_lettered, batches,
                                       batch_commit_us_total, batch_commit_us_max, last_batch_size, updated_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?7, ?8, ?9)
            ON CONFLICT (worker) DO UPDATE SET
                consumed = consumed + excluded.consumed, processed = processed + excluded.processed,
                duplicates = duplicates + excluded.duplicates, retried = retried + excluded.retried,
                dead_lettered = dead_lettered + excluded.dead_lettered, batches = batches + 1,
                batch_commit_us_total = batch_commit_us_total + excluded.batch_commit_us_total,
                batch_commit_us_max = max(batch_commit_us_max, excluded.batch_commit_us_max),
                last_batch_size = excluded.last_batch_size, updated_at = excluded.updated_at
            """)
        save = statement
        try statement.run([.text(worker), .int(consumed), .int(processed), .int(duplicates), .int(retried),
                           .int(deadLettered), .int(Int(ms * 1000)), .int(consumed), .text(stamp)])
    }

    func error(queue: String, messageID: String?, kind: String, reason: String, stamp: String, in db: Database) throws {
        try db.execute("""
            INSERT INTO worker_errors (worker, queue, message_id, kind, reason, at) VALUES (?, ?, ?, ?, ?, ?)
            """, [.text(worker), .text(queue), .optional(messageID), .text(kind), .text(reason), .text(stamp)])
    }
}
