import Foundation
import Store
import Testing
@testable import WorkerKit

/// The operator's counters: one `worker_totals` row per worker, read as version 1's nine rows
/// through the `worker_counters` view, and migration 4, which moves those rows into it.
@Suite("Counters: one row per worker, and the migration to it")
struct CountersTests {
    static func rows(_ db: Database) throws -> [[SQLValue]] {
        try db.query("SELECT worker, name, value, updated_at FROM worker_counters ORDER BY worker, name").map { row in
            (0..<4).map { row[$0] }
        }
    }

    static func value(_ db: Database, _ worker: String, _ name: String) throws -> Int64? {
        try db.scalar("SELECT value FROM worker_counters WHERE worker = ? AND name = ?", [.text(worker), .text(name)])?
            .int64Value
    }

    static func batch(_ c: Counters, consumed: Int, processed: Int, duplicates: Int = 0, retried: Int = 0,
                      deadLettered: Int = 0, ms: Double, stamp: String, in db: Database) throws {
        c.reset(consumed: consumed)
        c.processed = processed
        c.duplicates = duplicates
        c.retried = retried
        c.deadLettered = deadLettered
        try db.transaction { try c.save(batchMilliseconds: ms, stamp: stamp, in: db) }
    }

    @Test func batchesAddUpKeepTheLongestCommitAndTheLastSize() throws {
        let (db, dir) = try LedgerTests.scratch()
        defer { db.close(); try? FileManager.default.removeItem(at: dir) }
        try db.migrate(WorkerRuntime.migrations)
        let a = Counters(worker: "datadrop"), b = Counters(worker: "survey")
        try Self.batch(a, consumed: 200, processed: 197, duplicates: 2, retried: 1, ms: 1.5, stamp: "2026-12-04T10:00:00Z", in: db)
        try Self.batch(b, consumed: 7, processed: 7, ms: 0.25, stamp: "2026-12-04T10:00:01Z", in: db)
        try Self.batch(a, consumed: 30, processed: 29, deadLettered: 1, ms: 4.0, stamp: "2026-12-04T10:00:02Z", in: db)
        try Self.batch(a, consumed: 12, processed: 12, ms: 2.0, stamp: "2026-12-04T10:00:03Z", in: db)
        let expected: [String: Int64] = [
            "consumed": 242, "processed": 238, "duplicates": 2, "retried": 1, "dead_lettered": 1, "batches": 3,
            "batch_commit_us_total": 7_500, "batch_commit_us_max": 4_000, "last_batch_size": 12,
        ]
        for (name, value) in expected {
            #expect(try Self.value(db, "datadrop", name) == value, "\(name)")
        }
        #expect(try Self.value(db, "survey", "consumed") == 7)
        #expect(try Self.value(db, "survey", "batches") == 1)
        #expect(try db.scalar("SELECT count(*) FROM worker_counters")?.int64Value == 18)
        #expect(try db.scalar("SELECT DISTINCT updated_at FROM worker_counters WHERE worker = 'datadrop'")?.stringValue
                == "2026-12-04T10:00:03Z")
    }

    @Test func migrationFourKeepsEveryCounterAsTheViewShowedIt() throws {
        let (db, dir) = try LedgerTests.scratch()
        defer { db.close(); try? FileManager.default.removeItem(at: dir) }
        try db.migrate(Array(WorkerRuntime.migrations.prefix(3)))
        let names = ["consumed", "processed", "duplicates", "retried", "dead_lettered", "batches",
                     "batch_commit_us_total", "batch_commit_us_max", "last_batch_size"]
        for (w, worker) in ["datadrop", "newsletter"].enumerated() {
            for (n, name) in names.enumerated() {
                try db.execute("INSERT INTO worker_counters (worker, name, value, updated_at) VALUES (?, ?, ?, ?)",
                               [.text(worker), .text(name), .int(1_000 * (w + 1) + n), .text("2026-11-2\(w)T08:00:00Z")])
            }
        }
        let before = try Self.rows(db)
        #expect(before.count == 18)
        try db.migrate(WorkerRuntime.migrations)
        #expect(try Self.rows(db) == before)
        #expect(try db.scalar("SELECT count(*) FROM worker_totals")?.int64Value == 2)
        // Counting goes on from the migrated figures.
        try Self.batch(Counters(worker: "newsletter"), consumed: 5, processed: 5, ms: 1, stamp: "2026-12-04T09:00:00Z", in: db)
        #expect(try Self.value(db, "newsletter", "consumed") == 2_005)
        #expect(try Self.value(db, "newsletter", "batches") == 2_006)
        #expect(try Self.value(db, "datadrop", "consumed") == 1_000)
    }
}
