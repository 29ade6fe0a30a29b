import Foundation
import Store
import Testing
@testable import WorkerKit

/// The processed-message ledger on a real SQLite file: the claim rules, claims across
/// connections and savepoints, and the migrations, which keep every row the
/// `processed_messages` view shows.
@Suite("Ledger: claims and migrations")
struct LedgerTests {
    static func scratch() throws -> (Database, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString)")
        return (try Database(path: dir.appendingPathComponent("t.sqlite").path), dir)
    }

    /// A migrated scratch database and the ledger of queue "work", removed afterwards.
    static func withLedger(_ body: (Database, Ledger) throws -> Void) throws {
        let (db, dir) = try scratch()
        defer { db.close(); try? FileManager.default.removeItem(at: dir) }
        try db.migrate(WorkerRuntime.migrations)
        try body(db, try Ledger(queue: "work", db: db))
    }

    static let t0: Int64 = 1_795_500_000_123  // 2026-11-24T06:00:00.123Z in milliseconds since 1970

    /// One claim in a transaction of its own, as a batch of one.
    static func claim(_ ledger: Ledger, _ id: String, attempt: Int = 0, replayed: Bool = false, in db: Database,
                      at millis: Int64 = t0) throws -> Bool {
        try db.transaction { try ledger.claim(id, attempt: attempt, replayed: replayed, at: millis) }
    }

    static func view(_ db: Database) throws -> [[SQLValue]] {
        try db.query("""
            SELECT queue, message_id, outcome, attempts, detail, processed_at FROM processed_messages
            ORDER BY processed_at, queue, message_id
            """).map(\.values)
    }

    @Test func aFirstClaimWinsAndARepeatIsADuplicate() throws {
        try Self.withLedger { db, ledger in
            #expect(try Self.claim(ledger, "m-1", in: db))
            #expect(try !Self.claim(ledger, "m-1", in: db, at: Self.t0 + 5))
            // The same id on another queue is another message.
            let other = try Ledger(queue: "other", db: db)
            #expect(try Self.claim(other, "m-1", in: db))
            let rows = try db.query("SELECT queue, outcome, processed_at FROM processed_messages ORDER BY queue")
            #expect(rows.map { $0.string(0)! } == ["other", "work"])
            #expect(rows.allSatisfy { $0.string(1) == "processed" })
            #expect(rows[1].string(2) == "2026-11-24T06:00:00.123Z")
            #expect(try db.scalar("SELECT count(*) FROM message_ledger")?.int64Value == 2)
        }
    }

    @Test func anIdRepeatedWithinOneTransactionIsADuplicate() throws {
        try Self.withLedger { db, ledger in
            let results = try db.transaction {
                try ["a", "b", "a"].map { try ledger.claim($0, attempt: 0, replayed: false, at: Self.t0) }
            }
            #expect(results == [true, true, false])
        }
    }

    @Test func aRetryRunsOnlyFromItsOwnAttemptAndAReplayReopensADeadLetter() throws {
        try Self.withLedger { db, ledger in
            try ledger.record("m-2", outcome: .retryScheduled, attempts: 2, detail: "busy", at: Self.t0)
            // The original, redelivered after a crash, must not run beside its retry copy.
            #expect(try !Self.claim(ledger, "m-2", attempt: 1, in: db))
            #expect(try Self.claim(ledger, "m-2", attempt: 2, in: db))
            #expect(try db.scalar("SELECT outcome || '/' || attempts FROM processed_messages")?.stringValue == "processed/2")
            #expect(try !Self.claim(ledger, "m-2", attempt: 2, in: db))

            try ledger.record("m-3", outcome: .deadLettered, attempts: 1, detail: "bad year", at: Self.t0)
            #expect(try !Self.claim(ledger, "m-3", in: db))
            #expect(try Self.claim(ledger, "m-3", replayed: true, in: db))
            #expect(try !Self.claim(ledger, "m-3", in: db))
            // Each id is listed once, with what became of it.
            #expect(try db.scalar("SELECT count(*) FROM processed_messages")?.int64Value == 2)
        }
    }

    /// Consumers of one queue, in one process or several, share the table: what one
    /// connection committed is known to the other at once.
    @Test func aLedgerSeesWhatAnotherConnectionCommitted() throws {
        let (db, dir) = try Self.scratch()
        defer { db.close(); try? FileManager.default.removeItem(at: dir) }
        try db.migrate(WorkerRuntime.migrations)
        let second = try Database(path: dir.appendingPathComponent("t.sqlite").path)
        defer { second.close() }
        let a = try Ledger(queue: "work", db: db), b = try Ledger(queue: "work", db: second)
        #expect(try Self.claim(a, "x-1", in: db))
        #expect(try !Self.claim(b, "x-1", in: second))
        try b.record("x-4", outcome: .deadLettered, attempts: 1, detail: "bad", at: Self.t0)
        #expect(try !Self.claim(a, "x-4", in: db))
    }

    struct Failed: Error {}

    /// A rolled-back transaction or savepoint takes its claims with it: the ledger must not
    /// vouch for effects that are gone.
    @Test func claimsRollBackWithTheirTransactionOrSavepoint() throws {
        try Self.withLedger { db, ledger in
            do {
                try db.transaction {
                    #expect(try ledger.claim("y-1", attempt: 0, replayed: false, at: Self.t0))
                    throw Failed()
                }
                Issue.record("the transaction did not throw")
            } catch is Failed {}
            try db.transaction {
                #expect(try db.savepoint { try ledger.claim("z-1", attempt: 0, replayed: false, at: Self.t0) })
                do {
                    try db.savepoint {
                        #expect(try ledger.claim("z-2", attempt: 0, replayed: false, at: Self.t0))
                        #expect(try !ledger.claim("z-1", attempt: 0, replayed: false, at: Self.t0))
                        throw Failed()
                    }
                    Issue.record("the savepoint did not throw")
                } catch is Failed {}
            }
            #expect(try Self.claim(ledger, "y-1", in: db))
            #expect(try Self.claim(ledger, "z-2", in: db))
            #expect(try !Self.claim(ledger, "z-1", in: db))
        }
    }

    /// Any id AMQP can carry, a NUL included, is claimed once.
    @Test func awkwardIdsAreDuplicatesAfterTheirFirstClaim() throws {
        try Self.withLedger { (db: Database, ledger: Ledger) throws in
            let ids = ["nul\u{0}inside", "nul\u{0}", "quote \" and \\", "line\nbreak", "é🎉", String(repeating: "x", count: 255)]
            for id in ids { #expect(try Self.claim(ledger, id, in: db), "\(id)") }
            for id in ids { #expect(try !Self.claim(ledger, id, in: db), "\(id)") }
            #expect(try db.scalar("SELECT count(*) FROM message_ledger")?.int64Value == Int64(ids.count))
        }
    }

    @Test func aPurgedIdIsNewAgain() throws {
        try Self.withLedger { (db: Database, ledger: Ledger) throws in
            #expect(try Self.claim(ledger, "old-1", in: db))
            #expect(try db.execute("DELETE FROM message_ledger") == 1)
            #expect(try Self.claim(ledger, "old-1", in: db))
            #expect(try !Self.claim(ledger, "old-1", in: db))
        }
    }

    @Test func migrationsKeepEveryVersionOneRowAsItWas() throws {
        let (db, dir) = try Self.scratch()
        defer { db.close(); try? FileManager.default.removeItem(at: dir) }
        try db.migrate(Array(WorkerRuntime.migrations.prefix(1)))
        let v1: [[SQLValue]] = [
            [.text("datadrop.ingest"), .text("drop-1"), .text("processed"), .int(0), .null, .text("2026-11-23T09:15:02.250Z")],
            [.text("datadrop.ingest"), .text("drop-2"), .text("retry-scheduled"), .int(3), .text("database is locked"),
             .text("2026-11-23T09:15:03.000Z")],
            [.text("survey.process"), .text("drop-1"), .text("dead-lettered"), .int(1), .text("line 4, field q3: \"x\""),
             .text("2026-11-24T23:59:59.999Z")],
        ]
        for row in v1 {
            try db.execute("""
                INSERT INTO processed_messages (queue, message_id, outcome, attempts, detail, processed_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """, row)
        }
        try db.migrate(WorkerRuntime.migrations)

        #expect(try Self.view(db) == v1)
        #expect(try db.scalar("SELECT count(*) FROM message_ledger")?.int64Value == 3)
        let ledger = try Ledger(queue: "datadrop.ingest", db: db)
        #expect(try !Self.claim(ledger, "drop-1", in: db))
        #expect(try !Self.claim(ledger, "drop-2", attempt: 2, in: db))
        #expect(try Self.claim(ledger, "drop-2", attempt: 3, in: db))
        #expect(try Self.claim(ledger, "drop-3", in: db))
    }

    /// Journal rows (migration 3's `ledger_batches`, ids as JSON arrays) fold back into one
    /// row per id; ids kept apart in `message_ledger` keep what they said.
    @Test func migrationFiveFoldsTheJournalBackWithoutChangingTheView() throws {
        let (db, dir) = try Self.scratch()
        defer { db.close(); try? FileManager.default.removeItem(at: dir) }
        try db.migrate(Array(WorkerRuntime.migrations.prefix(4)))
        try db.execute("INSERT INTO ledger_queues (id, name) VALUES (1, 'work'), (2, 'other')")
        let journal: [[SQLValue]] = [
            [.int(1), .integer(Self.t0), .text(#"["a-1","a-2 \"quoted\" \\ é"]"#)],
            [.int(2), .integer(Self.t0), .text(#"["a-1"]"#)],
            [.int(1), .integer(Self.t0 + 1000), .text(#"["b-1\n\u0001","r-1","d-1"]"#)],
        ]
        for row in journal {
            try db.execute("INSERT INTO ledger_batches (queue_id, at_ms, message_ids) VALUES (?, ?, ?)", row)
        }
        try db.execute("""
            INSERT INTO message_ledger (queue_id, message_id, outcome, attempts, detail, at_ms)
            VALUES (1, 'r-1', 1, 2, 'busy', ?), (1, 'd-1', 2, 1, 'bad', ?)
            """, [.integer(Self.t0 + 2000), .integer(Self.t0 + 3000)])
        let before = try Self.view(db)
        #expect(before.count == 6)
        try db.migrate(WorkerRuntime.migrations)
        #expect(try Self.view(db) == before)
        #expect(try db.scalar("SELECT count(*) FROM message_ledger")?.int64Value == 6)
        #expect(try db.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'ledger_batches'")?.int64Value == 0)
        let work = try Ledger(queue: "work", db: db)
        for id in ["a-1", "a-2 \"quoted\" \\ é", "b-1\n\u{1}", "d-1"] {
            #expect(try !Self.claim(work, id, in: db), "\(id)")
        }
        #expect(try Self.claim(work, "r-1", attempt: 2, in: db))
        #expect(try Self.claim(work, "a-3", in: db))
    }

    @Test func timestampsAreUTCMillisecondsRoundedDownLikeTheLedgers() {
        let cases: [(Double, String)] = [
            (0, "1970-01-01T00:00:00.000Z"),
            (1_630_000_000.0005, "2021-08-26T17:46:40.000Z"),
            (1_795_500_000.123, "2026-11-24T06:00:00.123Z"),
            (1_709_164_799.999, "2024-02-28T23:59:59.999Z"),
            (1_709_164_800, "2024-02-29T00:00:00.000Z"),  // a leap day
            (-0.5, "1969-12-31T23:59:59.500Z"),  // before 1970 the remainder is negative
            (253_402_300_799.999, "9999-12-31T23:59:59.999Z"),
        ]
        for (seconds, text) in cases {
            #expect(Timestamp.string(Date(timeIntervalSince1970: seconds)) == text)
        }
    }
}
