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

    static let t0: Int64 = 1_795_500_000_123  // 2026-11-24T06:00:00.123Z in milliseconds since 1970

    @Test func aFirstClaimWinsAndARepeatIsADuplicate() throws {
        let (db, dir) = try Self.scratch()
        defer { db.close(); try? FileManager.default.removeItem(at: dir) }
        try db.migrate(WorkerRuntime.migrations)
        let ledger = try Ledger(queue: "work", db: db)
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

    @Test func aRetryRunsOnlyFromItsOwnAttemptAndAReplayReopensADeadLetter() throws {
        let (db, dir) = try Self.scratch()
        defer { db.close(); try? FileManager.default.removeItem(at: dir) }
        try db.migrate(WorkerRuntime.migrations)
        let ledger = try Ledger(queue: "work", db: db)
        try ledger.record("m-2", outcome: .retryScheduled, attempts: 2, detail: "busy", at: Self.t0)
        // The original, redelivered after a crash, must not run beside its retry copy.
        #expect(try !ledger.claim("m-2", attempt: 1, replayed: false, at: Self.t0))
        #expect(try ledger.claim("m-2", attempt: 2, replayed: false, at: Self.t0))
        #expect(try db.scalar("SELECT outcome || '/' || attempts FROM processed_messages")?.stringValue == "processed/2")

        try ledger.record("m-3", outcome: .deadLettered, attempts: 1, detail: "bad year", at: Self.t0)
        #expect(try !ledger.claim("m-3", attempt: 0, replayed: false, at: Self.t0))
        #expect(try ledger.claim("m-3", attempt: 0, replayed: true, at: Self.t0))
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
}
