import Foundation
import Store
import Testing
@testable import WorkerKit

/// The processed-message ledger on a real SQLite file: the claim rules, the journal and its
/// in-memory index across connections, and migrations 2 and 3, which keep every row the
/// `processed_messages` view shows.
@Suite("Ledger: claims and the compact-ledger migration")
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
    static func claim(_ ledger: Ledger, _ id: String, attempt: Int = 0, replayed: Bool = false,
                      at millis: Int64 = t0) throws -> Bool {
        try ledger.transaction(at: millis) { try ledger.claim(id, attempt: attempt, replayed: replayed, at: millis) }
    }

    static func record(_ ledger: Ledger, _ id: String, _ outcome: Ledger.Outcome, attempts: Int, detail: String?) throws {
        try ledger.transaction(at: t0) { try ledger.record(id, outcome: outcome, attempts: attempts, detail: detail, at: t0) }
    }

    static func bulk(_ ledger: Ledger, _ ids: [String]) throws -> Bool {
        try ledger.transaction(at: t0) { ledger.claimFirstAttempts(ids) }
    }

    static func view(_ db: Database) throws -> [[SQLValue]] {
        try db.query("""
            SELECT queue, message_id, outcome, attempts, detail, processed_at FROM processed_messages
            ORDER BY processed_at, queue, message_id
            """).map(\.values)
    }

    @Test func aFirstClaimWinsAndARepeatIsADuplicate() throws {
        try Self.withLedger { db, ledger in
            #expect(try Self.claim(ledger, "m-1"))
            #expect(try !Self.claim(ledger, "m-1", at: Self.t0 + 5))
            // The same id on another queue is another message.
            let other = try Ledger(queue: "other", db: db)
            #expect(try Self.claim(other, "m-1"))
            let rows = try db.query("SELECT queue, outcome, processed_at FROM processed_messages ORDER BY queue")
            #expect(rows.map { $0.string(0)! } == ["other", "work"])
            #expect(rows.allSatisfy { $0.string(1) == "processed" })
            #expect(rows[1].string(2) == "2026-11-24T06:00:00.123Z")
            // A plain first claim costs no per-message row: one journal row per transaction.
            #expect(try db.scalar("SELECT count(*) FROM message_ledger")?.int64Value == 0)
            #expect(try db.scalar("SELECT count(*) FROM ledger_batches")?.int64Value == 2)
        }
    }

    @Test func anIdRepeatedWithinOneTransactionIsADuplicate() throws {
        try Self.withLedger { _, ledger in
            let results = try ledger.transaction(at: Self.t0) {
                try ["a", "b", "a"].map { try ledger.claim($0, attempt: 0, replayed: false, at: Self.t0) }
            }
            #expect(results == [true, true, false])
        }
    }

    @Test func aRetryRunsOnlyFromItsOwnAttemptAndAReplayReopensADeadLetter() throws {
        try Self.withLedger { db, ledger in
            try Self.record(ledger, "m-2", .retryScheduled, attempts: 2, detail: "busy")
            // The original, redelivered after a crash, must not run beside its retry copy.
            #expect(try !Self.claim(ledger, "m-2", attempt: 1))
            #expect(try Self.claim(ledger, "m-2", attempt: 2))
            #expect(try db.scalar("SELECT outcome || '/' || attempts FROM processed_messages")?.stringValue == "processed/2")

            try Self.record(ledger, "m-3", .deadLettered, attempts: 1, detail: "bad year")
            #expect(try !Self.claim(ledger, "m-3"))
            #expect(try Self.claim(ledger, "m-3", replayed: true))
            // Each id is listed once, with what became of it.
            #expect(try db.scalar("SELECT count(*) FROM processed_messages")?.int64Value == 2)
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
        // The plain "processed" row moved to the journal; the other two keep their own rows.
        #expect(try db.scalar("SELECT count(*) FROM message_ledger")?.int64Value == 2)
        #expect(try db.scalar("SELECT message_ids FROM ledger_batches WHERE message_ids LIKE '%drop-1%'")?.stringValue
            == #"["drop-1"]"#)
        let ledger = try Ledger(queue: "datadrop.ingest", db: db)
        #expect(try !Self.claim(ledger, "drop-1"))
        #expect(try !ledger.transaction(at: Self.t0) { ledger.claimFirstAttempts(["drop-3", "drop-2"]) })
        #expect(try Self.claim(ledger, "drop-2", attempt: 3))
        #expect(try Self.claim(ledger, "drop-3"))
    }

    @Test func migrationThreeMovesVersionTwoRowsWithoutChangingTheView() throws {
        let (db, dir) = try Self.scratch()
        defer { db.close(); try? FileManager.default.removeItem(at: dir) }
        try db.migrate(Array(WorkerRuntime.migrations.prefix(2)))
        try db.execute("INSERT INTO ledger_queues (id, name) VALUES (1, 'work'), (2, 'other')")
        // Two bulk batches, a retry on its way, a dead letter, a run after a retry (attempts
        // 1), and ids that need escaping in JSON.
        let rows: [[SQLValue]] = [
            [.int(1), .text("a-1"), .int(0), .int(0), .null, .integer(Self.t0)],
            [.int(1), .text("a-2 \"quoted\" \\ é"), .int(0), .int(0), .null, .integer(Self.t0)],
            [.int(2), .text("a-1"), .int(0), .int(0), .null, .integer(Self.t0)],
            [.int(1), .text("b-1\n\u{1}"), .int(0), .int(0), .null, .integer(Self.t0 + 1000)],
            [.int(1), .text("r-1"), .int(1), .int(2), .text("busy"), .integer(Self.t0 + 2000)],
            [.int(1), .text("d-1"), .int(2), .int(1), .text("bad"), .integer(Self.t0 + 3000)],
            [.int(1), .text("p-1"), .int(0), .int(1), .null, .integer(Self.t0 + 4000)],
        ]
        for row in rows {
            try db.execute("""
                INSERT INTO message_ledger (queue_id, message_id, outcome, attempts, detail, at_ms) VALUES (?, ?, ?, ?, ?, ?)
                """, row)
        }
        let before = try Self.view(db)
        try db.migrate(WorkerRuntime.migrations)
        #expect(try Self.view(db) == before)
        #expect(before.count == rows.count)
        #expect(try db.scalar("SELECT count(*) FROM message_ledger")?.int64Value == 3)
        let work = try Ledger(queue: "work", db: db)
        for row in rows where row[0] == .int(1) {
            #expect(try !Self.claim(work, row[1].stringValue!), "\(row[1])")
        }
        #expect(try Self.claim(work, "r-1", attempt: 2))
        #expect(try Self.bulk(work, ["a-3", "b-2"]))
    }

    @Test(arguments: [1, 7, 128, 200, 300])
    func aBulkClaimRecordsEveryIdOnceAndItsRepeatsAreDuplicates(count: Int) throws {
        try Self.withLedger { db, ledger in
            // Ids of several lengths, one beyond ASCII, one JSON must escape.
            let ids = (0..<count).map { $0 % 3 == 0 ? "m-\($0)-é" : $0 == 1 ? "drop-\"1\"" : "drop-\($0)" }
            #expect(try Self.bulk(ledger, ids))
            let rows = try db.query("SELECT message_id, outcome, attempts, processed_at FROM processed_messages")
            #expect(Set(rows.map { $0.string(0)! }) == Set(ids))
            #expect(rows.count == count)
            #expect(rows.allSatisfy { $0.string(1) == "processed" && $0.int64(2) == 0 && $0.string(3) == "2026-11-24T06:00:00.123Z" })
            for id in [ids[0], ids[count - 1]] {
                #expect(try !Self.claim(ledger, id))
            }
        }
    }

    @Test func aBulkClaimRefusesAKnownIdAndAnIdRepeatedInTheBatch() throws {
        try Self.withLedger { db, ledger in
            #expect(try Self.claim(ledger, "m-5"))
            #expect(try !Self.bulk(ledger, (0..<10).map { "m-\($0)" }))
            #expect(try !Self.bulk(ledger, ["n-1", "n-2", "n-1"]))
            // A retry copy on its way is known too: the bulk claim must not take its id.
            try Self.record(ledger, "r-1", .retryScheduled, attempts: 1, detail: "busy")
            #expect(try !Self.bulk(ledger, ["r-0", "r-1"]))
            // A refused bulk claim claims nothing.
            #expect(try db.scalar("SELECT count(*) FROM processed_messages")?.int64Value == 2)
            #expect(try Self.bulk(ledger, ["n-1", "n-2", "r-0"]))
        }
    }

    /// Consumers of one queue, in one process or several, each keep their own index; each
    /// transaction first takes in what the others committed.
    @Test func aLedgerSeesWhatAnotherConnectionCommitted() throws {
        let (db, dir) = try Self.scratch()
        defer { db.close(); try? FileManager.default.removeItem(at: dir) }
        try db.migrate(WorkerRuntime.migrations)
        let second = try Database(path: dir.appendingPathComponent("t.sqlite").path)
        defer { second.close() }
        let a = try Ledger(queue: "work", db: db), b = try Ledger(queue: "work", db: second)
        #expect(try Self.bulk(a, ["x-1", "x-2"]))
        #expect(try !Self.bulk(b, ["x-3", "x-2"]))
        #expect(try !Self.claim(b, "x-1"))
        try Self.record(b, "x-4", .deadLettered, attempts: 1, detail: "bad")
        #expect(try !Self.bulk(a, ["x-4"]))
        #expect(try !Self.claim(a, "x-4"))
        // A ledger made later reads the journal as it starts.
        let c = try Ledger(queue: "work", db: second)
        #expect(try !Self.bulk(c, ["x-1"]))
        #expect(try Self.bulk(c, ["x-5"]))
        #expect(try !Self.claim(a, "x-5"))
    }

    struct Failed: Error {}

    @Test func aRolledBackTransactionClaimsNothing() throws {
        try Self.withLedger { db, ledger in
            do {
                try ledger.transaction(at: Self.t0) {
                    #expect(ledger.claimFirstAttempts(["y-1", "y-2"]))
                    throw Failed()
                }
                Issue.record("the transaction did not throw")
            } catch is Failed {}
            #expect(try db.scalar("SELECT count(*) FROM ledger_batches")?.int64Value == 0)
            #expect(try Self.bulk(ledger, ["y-1", "y-2"]))
        }
    }

    /// The careful pass: a message's savepoint rolled back, so its claims must go too; what
    /// `record` then writes makes the id known again.
    @Test func claimsInARolledBackSavepointAreNotJournaledUnlessRecorded() throws {
        try Self.withLedger { db, ledger in
            try ledger.transaction(at: Self.t0) {
                #expect(try ledger.savepoint { try ledger.claim("z-1", attempt: 0, replayed: false, at: Self.t0) })
                for id in ["z-2", "z-3"] {
                    do {
                        try ledger.savepoint {
                            #expect(try ledger.claim(id, attempt: 0, replayed: false, at: Self.t0))
                            // A claim of the earlier id inside the failing savepoint is a duplicate.
                            #expect(try !ledger.claim("z-1", attempt: 0, replayed: false, at: Self.t0))
                            throw Failed()
                        }
                        Issue.record("the savepoint did not throw")
                    } catch is Failed {}
                }
                try ledger.record("z-3", outcome: .retryScheduled, attempts: 1, detail: "busy", at: Self.t0)
            }
            #expect(try db.scalar("SELECT message_ids FROM ledger_batches")?.stringValue == #"["z-1","z-3"]"#)
            #expect(try Self.claim(ledger, "z-2"))
            #expect(try !Self.bulk(ledger, ["z-3"]))
            #expect(try Self.claim(ledger, "z-3", attempt: 1))
        }
    }

    /// Any id AMQP can carry, a NUL included, is claimed once: the exact lookup behind a
    /// "maybe known" reads the journal's lists itself.
    @Test func awkwardIdsAreDuplicatesAfterTheirFirstClaim() throws {
        try Self.withLedger { db, ledger in
            let ids = ["nul\u{0}inside", "quote \" and \\", "line\nbreak", "é🎉"]
            #expect(try Self.bulk(ledger, ["filler"]))
            #expect(try Self.bulk(ledger, ids))
            for id in ids { #expect(try !Self.claim(ledger, id), "\(id)") }
            // The lists swapped behind the index's back: it now points at a row without the
            // ids, so each lookup falls back to reading every list of the queue.
            try db.executeScript("""
                UPDATE ledger_batches SET message_ids = CASE id WHEN 1 THEN (SELECT message_ids FROM ledger_batches WHERE id = 2)
                    ELSE '["filler"]' END;
                """)
            for id in ids { #expect(try !Self.claim(ledger, id), "\(id)") }
            #expect(try Self.claim(ledger, "nul\u{0}"))
        }
    }

    /// After a purge the index still holds the purged ids' hashes; a claim of one is settled
    /// by the journal, which no longer lists it, so it runs again as the purge intends.
    @Test func aPurgedIdIsNewAgain() throws {
        try Self.withLedger { db, ledger in
            #expect(try Self.bulk(ledger, ["old-1", "old-2"]))
            let purged = try db.execute("DELETE FROM ledger_batches")
            #expect(purged == 1)
            #expect(try !Self.bulk(ledger, ["old-1"]))  // maybe known: the bulk pass defers
            #expect(try Self.claim(ledger, "old-1"))
            #expect(try !Self.claim(ledger, "old-1"))
            // Journal ids never go back after a purge, so catching up misses no row.
            #expect(try db.scalar("SELECT min(id) FROM ledger_batches")?.int64Value == 2)
        }
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
            #expect(ISO8601.string(Date(timeIntervalSince1970: seconds)) == text)
        }
    }
}

extension Ledger {
    /// The bulk claim from plain strings, as the tests write their ids.
    func claimFirstAttempts(_ ids: [String]) -> Bool {
        var claims = ClaimIDs(capacity: ids.count)
        for id in ids { claims.append(id) }
        return claimFirstAttempts(claims)
    }
}
