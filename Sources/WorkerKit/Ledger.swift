import Foundation
import Store

/// The processed-message ledger: which message ids this queue has already dealt with.
///
/// The common case, a message never seen before, costs one statement: `claim` inserts the
/// `processed` row up front and only on a conflict looks at what is already there. The row
/// commits or rolls back with the handler's effects, so it is proof of them.
final class Ledger {
    /// Stored as these integers (migration 2); the view `processed_messages` spells them out.
    enum Outcome: Int {
        case processed = 0
        case retryScheduled = 1
        case deadLettered = 2
    }

    let queue: String
    private let db: Database
    /// The queue's number in `ledger_queues`: rows carry it instead of the name.
    private let queueID: Int64
    private let insert: Statement
    /// The time bound to `insert` now: bindings outlive a reset, so the queue is bound once
    /// and the time once per batch, leaving two values to bind per message.
    private var boundMillis: Int64?
    private let lookup: Statement
    private let upsert: Statement

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
            INSERT INTO message_ledger (queue_id, message_id, outcome, attempts, detail, at_ms)
            VALUES (?, ?, 0, ?, NULL, ?) ON CONFLICT (message_id, queue_id) DO NOTHING
            """)
        try insert.bind(id, at: 1)
        lookup = try db.prepare("SELECT outcome, attempts FROM message_ledger WHERE queue_id = ? AND message_id = ?")
        try lookup.bind(id, at: 1)
        upsert = try db.prepare("""
            INSERT INTO message_ledger (queue_id, message_id, outcome, attempts, detail, at_ms)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (message_id, queue_id) DO UPDATE SET outcome = excluded.outcome,
                attempts = excluded.attempts, detail = excluded.detail, at_ms = excluded.at_ms
            """)
    }

    /// Records `id` as processed unless it is a duplicate; returns false for a duplicate.
    ///
    /// A message is a duplicate when its id is settled (processed or dead-lettered), or when a
    /// retry copy with a higher attempt number is already on its way: the original, redelivered
    /// after a crash, must not run beside its own retry. An operator's replay of a
    /// dead-lettered message (`replayed`) is the one way to run a settled id again.
    func claim(_ id: String, attempt: Int, replayed: Bool, at millis: Int64) throws -> Bool {
        if millis != boundMillis {
            try insert.bind(millis, at: 4)
            boundMillis = millis
        }
        try insert.bind(attempt, at: 3)
        if try insert.withText(id, at: 2, { try insert.execute() }) == 1 { return true }
        try lookup.bind(id, at: 2)
        defer { lookup.reset() }
        guard try lookup.step() else { return true }
        let outcome = Outcome(rawValue: Int(lookup.int64(at: 0)))
        let retryDue = outcome == .retryScheduled && attempt >= Int(lookup.int64(at: 1))
        let replay = outcome == .deadLettered && replayed
        guard retryDue || replay else { return false }
        lookup.reset()
        try record(id, outcome: .processed, attempts: attempt, detail: nil, at: millis)
        return true
    }

    /// Multi-row claims by row count (powers of two up to `largestChunk`), prepared on first use.
    private var bulkInserts: [Int: Statement] = [:]
    static let largestChunk = 128

    /// Claims a batch of first-attempt ids (none retried or replayed) with a few multi-row
    /// statements, where `claim` runs one statement per message. The claim was the worker's
    /// largest cost: twice the handler's own insert, and a quarter of that went on starting,
    /// binding and resetting a statement 200 times per batch.
    ///
    /// Returns false when any id was already in the ledger or appears twice in `ids`. Some of
    /// the others are claimed by then, so the caller must roll the transaction back and claim
    /// one message at a time, which tells each case apart.
    func claimFirstAttempts(_ ids: ClaimIDs, at millis: Int64) throws -> Bool {
        var done = 0
        while done < ids.count {
            var rows = Self.largestChunk
            while rows > ids.count - done { rows /= 2 }
            let statement = try bulkInsert(rows: rows)
            try statement.bind(millis, at: 2)
            let inserted = try statement.withTexts(in: ids.buffer, ids.ranges[done..<done + rows], from: 3) {
                try statement.execute()
            }
            guard inserted == rows else { return false }
            done += rows
        }
        return true
    }

    func claimFirstAttempts(_ ids: [String], at millis: Int64) throws -> Bool {
        var claims = ClaimIDs(capacity: ids.count)
        for id in ids { claims.append(id) }
        return try claimFirstAttempts(claims, at: millis)
    }

    private func bulkInsert(rows: Int) throws -> Statement {
        if let statement = bulkInserts[rows] { return statement }
        let values = (0..<rows).map { "(?1, ?\($0 + 3), 0, 0, NULL, ?2)" }.joined(separator: ", ")
        let statement = try db.prepare("""
            INSERT INTO message_ledger (queue_id, message_id, outcome, attempts, detail, at_ms)
            VALUES \(values) ON CONFLICT (message_id, queue_id) DO NOTHING
            """)
        try statement.bind(queueID, at: 1)
        bulkInserts[rows] = statement
        return statement
    }

    func record(_ id: String, outcome: Outcome, attempts: Int, detail: String?, at millis: Int64) throws {
        try upsert.run([.integer(queueID), .text(id), .int(outcome.rawValue), .int(attempts), .optional(detail),
                        .integer(millis)])
    }
}

/// A batch's ids laid end to end in one buffer, bound in place by the bulk claim: no
/// allocation per id on either side. Filled while the batch's messages are first built, so
/// the deliveries are walked once for both.
struct ClaimIDs {
    private(set) var buffer: [UInt8] = []
    private(set) var ranges: [Range<Int>] = []

    init(capacity: Int) {
        buffer.reserveCapacity(capacity * 24)
        ranges.reserveCapacity(capacity)
    }

    var count: Int { ranges.count }

    mutating func append(_ id: String) {
        let start = buffer.count
        buffer.append(contentsOf: id.utf8)
        ranges.append(start..<buffer.count)
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
    /// All of a batch's counters in one statement, prepared once: nine upserts a batch, each
    /// with its SQL rebuilt and looked up, cost a tenth of a microsecond per message.
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
            INSERT INTO worker_counters (worker, name, value, updated_at) VALUES
                (?1, 'consumed', ?2, ?9), (?1, 'processed', ?3, ?9), (?1, 'duplicates', ?4, ?9),
                (?1, 'retried', ?5, ?9), (?1, 'dead_lettered', ?6, ?9), (?1, 'batches', 1, ?9),
                (?1, 'batch_commit_us_total', ?7, ?9), (?1, 'batch_commit_us_max', ?7, ?9),
                (?1, 'last_batch_size', ?8, ?9)
            ON CONFLICT (worker, name) DO UPDATE SET
                value = CASE excluded.name
                    WHEN 'last_batch_size' THEN excluded.value
                    WHEN 'batch_commit_us_max' THEN max(value, excluded.value)
                    ELSE value + excluded.value END,
                updated_at = excluded.updated_at
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
