import Foundation
import Store

/// The processed-message ledger: which message ids this queue has already dealt with, and
/// how (processed, a retry scheduled at some attempt, dead-lettered).
///
/// It is an append-only log in `ledger_log`, written in the batch's own transaction, so it
/// commits or rolls back with the handlers' effects and is proof of them. The messages a
/// batch processed at their first attempt (nearly all of them) go into one row per batch as
/// a JSON array of ids; anything else gets a row of its own; the latest entry for an id is
/// its state. Duplicates are found in memory: `known` holds every id's latest entry, read
/// in full at start and brought up to date at the start of each transaction from the rows
/// other consumers committed since. That read happens under the write lock (`BEGIN
/// IMMEDIATE`), so no commit can slip between it and this batch's own.
///
/// One B-tree insert per message (the previous design, a keyed row per id) cost as much CPU
/// as the rest of the worker's per-message work together; in C the same keyed ledger cost a
/// fifth of the bare consumer's throughput. The price here is memory: 40 to 100 bytes per id
/// in the ledger (more for ids too long to store inline), which `trustctl purge --before`
/// bounds.
final class Ledger {
    /// Stored as these integers; the view `processed_messages` spells them out.
    enum Outcome: UInt8 {
        case processed = 0
        case retryScheduled = 1
        case deadLettered = 2
    }

    /// An id's latest entry. `generation` and `slot` say which transaction wrote it and
    /// where in that transaction's journal, so a second entry for the same id in one
    /// transaction can retire the first without another lookup.
    struct Entry {
        var outcome: Outcome
        var attempts: Int32
        var generation: UInt32 = 0
        var slot: Int32 = -1
    }

    /// One change this transaction made to `known`, with what it replaced, so a savepoint or
    /// transaction that rolls back can undo it, and the commit can write it.
    private struct Change {
        let id: MessageKey
        let entry: Entry
        let detail: String?
        let previous: Entry?
        var superseded = false
        /// Goes in the batch's id list, which records only `processed` at attempt 0.
        var listed: Bool { entry.outcome == .processed && entry.attempts == 0 && detail == nil }
    }

    let queue: String
    /// The queue's number in `ledger_queues`: rows carry it instead of the name.
    private let queueID: Int64
    private let db: Database
    /// Every id's latest entry, this transaction's included.
    private var known = LedgerIndex()
    /// This transaction's changes to `known`, in order.
    private var journal: [Change] = []
    /// Tells this transaction's entries in `known` from older ones; bumped at each commit.
    private var generation: UInt32 = 1
    /// The highest `ledger_log.seq` already folded into `known`.
    private var cursor: Int64 = 0
    /// The `seq` of this transaction's last row, if it wrote any.
    private var lastWritten: Int64?
    private let maxSeq: Statement
    private let changes: Statement
    private let insertBatch: Statement
    private let insertEntry: Statement
    /// The batch row's JSON, reused from batch to batch.
    private var json: [UInt8] = []

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
        maxSeq = try db.prepare("SELECT coalesce(max(seq), 0) FROM ledger_log")
        changes = try db.prepare("""
            SELECT l.seq, j.value, 0, 0 FROM ledger_log l, json_each(l.ids) j
            WHERE l.seq > ?1 AND l.seq <= ?2 AND l.queue_id = ?3 AND l.ids IS NOT NULL
            UNION ALL
            SELECT seq, message_id, outcome, attempts FROM ledger_log
            WHERE seq > ?1 AND seq <= ?2 AND queue_id = ?3 AND message_id IS NOT NULL
            ORDER BY 1
            """)
        insertBatch = try db.prepare("INSERT INTO ledger_log (queue_id, at_ms, ids) VALUES (?, ?, ?)")
        insertEntry = try db.prepare("""
            INSERT INTO ledger_log (queue_id, at_ms, message_id, outcome, attempts, detail) VALUES (?, ?, ?, ?, ?, ?)
            """)
        // The bulk of the log is read here, outside any transaction, so the first batch does
        // not hold the write lock while it loads.
        try catchUp()
    }

    /// Folds in what other consumers committed since the last look. Call first thing inside
    /// the batch's transaction; it also undoes anything left by a transaction that failed.
    func begin() throws {
        rollback(to: 0)
        lastWritten = nil
        try catchUp()
    }

    private func catchUp() throws {
        defer { maxSeq.reset() }
        guard try maxSeq.step() else { return }
        let latest = maxSeq.int64(at: 0)
        maxSeq.reset()
        guard latest > cursor else { return }
        try changes.bind(cursor, at: 1)
        try changes.bind(latest, at: 2)
        try changes.bind(queueID, at: 3)
        defer { changes.reset() }
        while try changes.step() {
            guard let id = changes.string(at: 1), let outcome = Outcome(rawValue: UInt8(clamping: changes.int64(at: 2))) else {
                continue
            }
            known[MessageKey(id)] = Entry(outcome: outcome, attempts: Int32(clamping: changes.int64(at: 3)))
        }
        cursor = latest
    }

    /// Records `id` as processed unless it is a duplicate; returns false for a duplicate.
    ///
    /// A message is a duplicate when its id is settled (processed or dead-lettered), or when a
    /// retry copy with a higher attempt number is already on its way: the original, redelivered
    /// after a crash, must not run beside its own retry. An operator's replay of a
    /// dead-lettered message (`replayed`) is the one way to run a settled id again.
    func claim(_ text: String, attempt: Int, replayed: Bool) -> Bool {
        let id = MessageKey(text)
        // One lookup for the common case, a new id: write first, put back if it was a duplicate.
        let entry = Entry(outcome: .processed, attempts: Int32(clamping: attempt), generation: generation,
                          slot: Int32(journal.count))
        guard let previous = known.updateValue(entry, forKey: id) else {
            journal.append(Change(id: id, entry: entry, detail: nil, previous: nil))
            return true
        }
        let retryDue = previous.outcome == .retryScheduled && attempt >= Int(previous.attempts)
        let replay = previous.outcome == .deadLettered && replayed
        guard retryDue || replay else {
            known[id] = previous
            return false
        }
        log(id, entry, detail: nil, previous: previous)
        return true
    }

    func record(_ text: String, outcome: Outcome, attempts: Int, detail: String?) {
        let id = MessageKey(text)
        let entry = Entry(outcome: outcome, attempts: Int32(clamping: attempts), generation: generation,
                          slot: Int32(journal.count))
        log(id, entry, detail: detail, previous: known.updateValue(entry, forKey: id))
    }

    private func log(_ id: MessageKey, _ entry: Entry, detail: String?, previous: Entry?) {
        if let previous, previous.generation == generation, previous.slot >= 0 {
            journal[Int(previous.slot)].superseded = true
        }
        journal.append(Change(id: id, entry: entry, detail: detail, previous: previous))
    }

    /// A point to roll back to, taken before each message that runs in its own savepoint.
    var mark: Int { journal.count }

    /// Undoes the changes since `mark`, as the savepoint undid the message's effects.
    func rollback(to mark: Int) {
        while journal.count > mark {
            let change = journal.removeLast()
            known[change.id] = change.previous
            if let previous = change.previous, previous.generation == generation, previous.slot >= 0 {
                journal[Int(previous.slot)].superseded = false
            }
        }
    }

    /// Writes this transaction's entries: one row for its first-attempt successes, one per
    /// other entry. Call last inside the transaction, then `committed` after it.
    func flush(at millis: Int64) throws {
        json.removeAll(keepingCapacity: true)
        json.append(UInt8(ascii: "["))
        for change in journal where !change.superseded && change.listed {
            if json.count > 1 { json.append(UInt8(ascii: ",")) }
            JSONText.appendString(change.id.text, to: &json)
        }
        json.append(UInt8(ascii: "]"))
        if json.count > 2 {
            try insertBatch.bind(queueID, at: 1)
            try insertBatch.bind(millis, at: 2)
            try insertBatch.bind(utf8: json, range: 0..<json.count, at: 3)
            try insertBatch.execute()
            lastWritten = db.lastInsertRowID
        }
        for change in journal where !change.superseded && !change.listed {
            try insertEntry.run([.integer(queueID), .integer(millis), .text(change.id.text), .int(Int(change.entry.outcome.rawValue)),
                                 .int(Int(change.entry.attempts)), .optional(change.detail)])
            lastWritten = db.lastInsertRowID
        }
    }

    /// The transaction committed: its changes stand.
    func committed() {
        journal.removeAll(keepingCapacity: true)
        generation &+= 1
        // Everything up to this transaction's own rows is in `known` (the write lock was held
        // from `begin` to the commit, so no one else's rows lie in between).
        if let lastWritten { cursor = max(cursor, lastWritten) }
        lastWritten = nil
    }
}

/// JSON string literals for the ledger's id lists, written straight into a byte buffer.
enum JSONText {
    /// Quotes and escapes per RFC 8259: `"`, `\\` and control characters; every other byte of
    /// valid UTF-8 passes through unchanged.
    static func appendString(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendString(utf8: $0, to: &out) }
    }

    static func appendString(utf8: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
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
