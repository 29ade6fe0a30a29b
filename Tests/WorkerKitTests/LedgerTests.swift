import Foundation
import Store
import Testing
@testable import WorkerKit

/// The processed-message ledger on a real SQLite file: the claim rules, and migration 2's
/// move from version 1's wide rows to the compact table behind the `processed_messages` view.
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

    @Test func aFirstClaimWinsAndARepeatIsADuplicate() throws {
        try Self.withLedger { db, ledger in
            #expect(try ledger.claim("m-1", attempt: 0, replayed: false, at: Self.t0))
            #expect(try !ledger.claim("m-1", attempt: 0, replayed: false, at: Self.t0 + 5))
            // The same id on another queue is another message.
            let other = try Ledger(queue: "other", db: db)
            #expect(try other.claim("m-1", attempt: 0, replayed: false, at: Self.t0))
            let rows = try db.query("SELECT queue, outcome, processed_at FROM processed_messages ORDER BY queue")
            #expect(rows.map { $0.string(0)! } == ["other", "work"])
            #expect(rows.allSatisfy { $0.string(1) == "processed" })
            #expect(rows[1].string(2) == "2026-11-24T06:00:00.123Z")
        }
    }

    @Test func aRetryRunsOnlyFromItsOwnAttemptAndAReplayReopensADeadLetter() throws {
        try Self.withLedger { db, ledger in
            try ledger.record("m-2", outcome: .retryScheduled, attempts: 2, detail: "busy", at: Self.t0)
            // The original, redelivered after a crash, must not run beside its retry copy.
            #expect(try !ledger.claim("m-2", attempt: 1, replayed: false, at: Self.t0))
            #expect(try ledger.claim("m-2", attempt: 2, replayed: false, at: Self.t0))
            #expect(try db.scalar("SELECT outcome || '/' || attempts FROM processed_messages")?.stringValue == "processed/2")

            try ledger.record("m-3", outcome: .deadLettered, attempts: 1, detail: "bad year", at: Self.t0)
            #expect(try !ledger.claim("m-3", attempt: 0, replayed: false, at: Self.t0))
            #expect(try ledger.claim("m-3", attempt: 0, replayed: true, at: Self.t0))
        }
    }

    @Test func migrationTwoKeepsEveryVersionOneRowAsItWas() throws {
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

        let after = try db.query("""
            SELECT queue, message_id, outcome, attempts, detail, processed_at FROM processed_messages
            ORDER BY processed_at
            """).map(\.values)
        #expect(after == v1)
        // The rows now live in the compact table, and the ledger finds them there.
        #expect(try db.scalar("SELECT count(*) FROM message_ledger")?.int64Value == 3)
        let ledger = try Ledger(queue: "datadrop.ingest", db: db)
        #expect(try !ledger.claim("drop-1", attempt: 0, replayed: false, at: Self.t0))
        #expect(try ledger.claim("drop-2", attempt: 3, replayed: false, at: Self.t0))
        #expect(try ledger.claim("drop-3", attempt: 0, replayed: false, at: Self.t0))
    }

    @Test(arguments: [1, 7, 128, 200, 300])
    func aBulkClaimRecordsEveryIdOnceAndItsRepeatsAreDuplicates(count: Int) throws {
        try Self.withLedger { db, ledger in
            // Ids of several lengths, one beyond ASCII, so every row must bind its own bytes.
            let ids = (0..<count).map { $0 % 3 == 0 ? "m-\($0)-é" : "drop-\($0)" }
            #expect(try ledger.claimFirstAttempts(ids, at: Self.t0))
            let rows = try db.query("SELECT message_id, outcome, attempts, processed_at FROM processed_messages")
            #expect(Set(rows.map { $0.string(0)! }) == Set(ids))
            #expect(rows.count == count)
            #expect(rows.allSatisfy { $0.string(1) == "processed" && $0.int64(2) == 0 && $0.string(3) == "2026-11-24T06:00:00.123Z" })
            for id in [ids[0], ids[count - 1]] {
                #expect(try !ledger.claim(id, attempt: 0, replayed: false, at: Self.t0))
            }
        }
    }

    @Test func aBulkClaimReportsAKnownIdAndAnIdRepeatedInTheBatch() throws {
        try Self.withLedger { db, ledger in
            #expect(try ledger.claim("m-5", attempt: 0, replayed: false, at: Self.t0))
            #expect(try !ledger.claimFirstAttempts((0..<10).map { "m-\($0)" }, at: Self.t0))
            #expect(try !ledger.claimFirstAttempts(["n-1", "n-2", "n-1"], at: Self.t0))
            // A retry copy on its way is known too: the bulk claim must not take its id.
            try ledger.record("r-1", outcome: .retryScheduled, attempts: 1, detail: "busy", at: Self.t0)
            #expect(try !ledger.claimFirstAttempts(["r-0", "r-1"], at: Self.t0))
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
