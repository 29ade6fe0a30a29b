import Foundation
import Store

/// The processed-message ledger: which message ids this queue has already dealt with.
///
/// Two tables hold it (migration 3). `ledger_batches` is a journal: one row per transaction,
/// listing every id that transaction made known to the queue. `message_ledger` keeps a row
/// only for an id with more to say than "processed": a retry on its way, a dead letter, a run
/// after either. Both commit or roll back with the handlers' effects, so together they are
/// proof of them; the view `processed_messages` reads them as one.
///
/// Most ids are new. Deciding that from an in-memory index of the journal's id hashes costs
/// no SQL at all, where a b-tree row per message was a third of the worker's CPU, on cores the
/// broker needs. The index only says "new" or "maybe known"; a maybe goes to SQL and is
/// settled exactly. It can say "new" safely because it is brought up to date inside each
/// write transaction (`transaction`), while no other writer can add to the journal, and
/// because every id that gets a `message_ledger` row is journaled as well.
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
    /// Hash of every journaled id of this queue → the journal row that last listed it.
    private var index = HashSlots()
    /// The newest journal row of this queue that `index` has taken in.
    private var seen: Int64 = 0
    /// Ids made known in the current transaction, journaled when it ends.
    private var pending = ClaimIDs()
    /// The hashes of `pending`, and of claims rolled back since the transaction began (a
    /// stale hash only sends a lookup to the exact comparison).
    private var pendingHashes = HashSlots(minimumCapacity: 512)
    /// The journal row this transaction wrote, taken into `index` once it has committed.
    private var written: Int64?
    private var json: [UInt8] = []
    private let newRows: Statement
    private let append: Statement
    private let lookup: Statement
    private let upsert: Statement
    private let inRow: Statement
    private let inQueue: Statement

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
        newRows = try db.prepare("SELECT id, message_ids FROM ledger_batches WHERE queue_id = ?1 AND id > ?2 ORDER BY id")
        try newRows.bind(id, at: 1)
        append = try db.prepare("INSERT INTO ledger_batches (queue_id, at_ms, message_ids) VALUES (?1, ?2, ?3)")
        try append.bind(id, at: 1)
        lookup = try db.prepare("SELECT outcome, attempts FROM message_ledger WHERE queue_id = ? AND message_id = ?")
        try lookup.bind(id, at: 1)
        upsert = try db.prepare("""
            INSERT INTO message_ledger (queue_id, message_id, outcome, attempts, detail, at_ms)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (message_id, queue_id) DO UPDATE SET outcome = excluded.outcome,
                attempts = excluded.attempts, detail = excluded.detail, at_ms = excluded.at_ms
            """)
        inRow = try db.prepare("SELECT message_ids FROM ledger_batches WHERE id = ?")
        inQueue = try db.prepare("SELECT message_ids FROM ledger_batches WHERE queue_id = ?")
        // The bulk of the journal is read here, outside any write transaction, so a large one
        // does not hold the write lock; each transaction then reads only what is newer.
        try catchUp()
    }

    /// Runs `body` in a write transaction whose claims the ledger journals just before it
    /// commits (at `millis`). Every claim, record and savepoint belongs inside one.
    func transaction<T>(at millis: Int64, _ body: () throws -> T) throws -> T {
        let result = try db.transaction {
            pending.removeAll()
            pendingHashes.removeAll()
            written = nil
            try catchUp()
            let result = try body()
            try journal(at: millis)
            return result
        }
        if let written {
            for hash in pending.hashes { index.set(hash, to: written) }
            seen = written
        }
        return result
    }

    /// Takes journal rows newer than `seen` into the index: other consumers' (or, after a
    /// failed commit that did commit, this one's). Writers are serialised and ids only grow,
    /// so nothing can appear behind `seen` later.
    private func catchUp() throws {
        try newRows.bind(seen, at: 2)
        defer { newRows.reset() }
        while try newRows.step() {
            let row = newRows.int64(at: 0)
            try newRows.withBytes(at: 1) { json in
                try MessageIDs.decode(json) { index.set(MessageIDs.hash($0), to: row) }
            }
            seen = row
        }
    }

    /// Writes this transaction's journal row, if it made any id known.
    private func journal(at millis: Int64) throws {
        guard !pending.isEmpty else { return }
        MessageIDs.encode(pending, into: &json)
        try append.bind(millis, at: 2)
        _ = try append.withTexts(in: json, [0..<json.count][...], from: 3) { try append.execute() }
        written = db.lastInsertRowID
    }

    private func makeKnown(_ id: UnsafeRawBufferPointer, hash: UInt64) {
        pendingHashes.set(hash, to: 0)
        pending.append(id, hash: hash)
    }

    /// Whether `id` was made known earlier in this transaction.
    private func isPending(_ id: UnsafeRawBufferPointer, hash: UInt64) -> Bool {
        pendingHashes[hash] != nil && pending.holds(id, hash: hash)
    }

    /// Records `id` as processed unless it is a duplicate; returns false for a duplicate.
    ///
    /// A message is a duplicate when its id is settled (processed or dead-lettered), or when a
    /// retry copy with a higher attempt number is already on its way: the original, redelivered
    /// after a crash, must not run beside its own retry. An operator's replay of a
    /// dead-lettered message (`replayed`) is the one way to run a settled id again.
    func claim(_ id: String, attempt: Int, replayed: Bool, at millis: Int64) throws -> Bool {
        return try MessageIDs.withHashedBytes(of: id) { bytes, hash in
            let indexed = index[hash]
            guard indexed != nil || pendingHashes[hash] != nil else {
                makeKnown(bytes, hash: hash)
                return true
            }
            // Maybe known. A `message_ledger` row, if any, says what happened to it.
            try lookup.bind(id, at: 2)
            defer { lookup.reset() }
            if try lookup.step() {
                let outcome = Outcome(rawValue: Int(lookup.int64(at: 0)))
                let retryDue = outcome == .retryScheduled && attempt >= Int(lookup.int64(at: 1))
                let replay = outcome == .deadLettered && replayed
                guard retryDue || replay else { return false }
                lookup.reset()
                try record(id, outcome: .processed, attempts: attempt, detail: nil, at: millis)
                return true
            }
            if isPending(bytes, hash: hash) { return false }
            if let indexed, try journalHolds(bytes, row: indexed) { return false }
            // Another id with the same hash, or one whose journal row was purged since.
            makeKnown(bytes, hash: hash)
            return true
        }
    }

    /// Whether the journal lists `id` for this queue: in `row` (where the index last saw its
    /// hash), or failing that anywhere, which only a hash collision or a purge leads to. The
    /// lists are read here, not with SQLite's `json_each`, which cuts a value at a NUL.
    private func journalHolds(_ id: UnsafeRawBufferPointer, row: Int64) throws -> Bool {
        for statement in [inRow, inQueue] {
            try statement.bind(statement === inRow ? row : queueID, at: 1)
            defer { statement.reset() }
            while try statement.step() {
                var found = false
                try statement.withBytes(at: 0) { json in
                    try MessageIDs.decode(json) { if !found && $0.elementsEqual(id) { found = true } }
                }
                if found { return true }
            }
        }
        return false
    }

    /// Claims a batch of first-attempt ids (none retried or replayed) at once. For ids the
    /// index has never seen, and no two alike, that is only memory: the journal row is
    /// written when the transaction ends.
    ///
    /// Returns false, claiming none, when any id may be known or appears twice in `ids`; the
    /// caller then claims one message at a time, which tells each case apart.
    func claimFirstAttempts(_ ids: ClaimIDs) -> Bool {
        precondition(pending.isEmpty, "a bulk claim must be the transaction's first")
        guard Self.stage(ids.hashes, unknownTo: index, in: &pendingHashes) else { return false }
        pending = ids
        return true
    }

    /// Adds `hashes` to `staged` if none is in `index` or repeated; otherwise leaves `staged`
    /// empty. Static, with the tables as arguments, so the loop makes no run-time exclusivity
    /// check per id, as it would reaching the ledger's own stored properties each time.
    private static func stage(_ hashes: [UInt64], unknownTo index: HashSlots, in staged: inout HashSlots) -> Bool {
        for hash in hashes {
            guard index[hash] == nil, staged.set(hash, to: 0) else {
                staged.removeAll()
                return false
            }
        }
        return true
    }

    /// Runs `body` in a savepoint (the careful pass's, one per message). If it throws, the
    /// savepoint's effects are rolled back, and so are the claims made inside it: the ledger
    /// must not vouch for effects that are gone.
    func savepoint<T>(_ body: () throws -> T) throws -> T {
        let mark = pending.count
        do {
            return try db.savepoint(body)
        } catch {
            pending.removeLast(pending.count - mark)
            throw error
        }
    }

    /// Writes what became of `id` to `message_ledger`, and journals the id if it is new, so
    /// that every consumer's index knows to look there.
    func record(_ id: String, outcome: Outcome, attempts: Int, detail: String?, at millis: Int64) throws {
        try upsert.run([.integer(queueID), .text(id), .int(outcome.rawValue), .int(attempts), .optional(detail),
                        .integer(millis)])
        MessageIDs.withHashedBytes(of: id) { bytes, hash in
            if index[hash] == nil && !isPending(bytes, hash: hash) { makeKnown(bytes, hash: hash) }
        }
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
