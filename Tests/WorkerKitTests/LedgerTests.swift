import Foundation
import Store
import Testing
@testable import WorkerKit

/// The processed-message ledger on a real SQLite file: the claim rules, how consumers on
/// other connections see each other's commits, and migration 2's move from version 1's keyed
/// rows to the log behind the `processed_messages` view.
@Suite("Ledger: claims, the shared log and the migration")
struct LedgerTests {
    /// A scratch database file; `open` makes another connection to it, as another process would.
    final class Scratch {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString)")
        var path: String { dir.appendingPathComponent("t.sqlite").path }
        private var opened: [Database] = []

        func open(migrations: [Migration] = WorkerRuntime.migrations) throws -> Database {
            let db = try Database(path: path)
            try db.migrate(migrations)
            opened.append(db)
            return db
        }

        deinit {
            opened.forEach { $0.close() }
            try? FileManager.default.removeItem(at: dir)
        }
    }

    static let t0: Int64 = 1_795_500_000_123  // 2026-11-24T06:00:00.123Z in milliseconds since 1970

    /// One batch as the consumer loop runs it: begin, claims, flush, commit, fold in.
    @discardableResult
    static func batch<T>(_ ledger: Ledger, _ db: Database, at millis: Int64 = t0, _ body: () throws -> T) throws -> T {
        let result = try db.transaction {
            try ledger.begin()
            let result = try body()
            try ledger.flush(at: millis)
            return result
        }
        ledger.committed()
        return result
    }

    static func states(_ db: Database) throws -> [String: String] {
        var out: [String: String] = [:]
        for row in try db.query("SELECT queue || ':' || message_id, outcome || '/' || attempts FROM processed_messages") {
            out[row.string(0)!] = row.string(1)!
        }
        return out
    }

    @Test func aFirstClaimWinsAndEveryRepeatIsADuplicate() throws {
        let scratch = Scratch()
        let db = try scratch.open()
        let ledger = try Ledger(queue: "work", db: db)
        let claims = try Self.batch(ledger, db) {
            [ledger.claim("m-1", attempt: 0, replayed: false),
             ledger.claim("m-2", attempt: 0, replayed: false),
             ledger.claim("m-1", attempt: 0, replayed: false)]  // republished into the same batch
        }
        #expect(claims == [true, true, false])
        #expect(try Self.batch(ledger, db) { ledger.claim("m-2", attempt: 0, replayed: false) } == false)
        // The same id on another queue is another message.
        let other = try Ledger(queue: "other", db: db)
        #expect(try Self.batch(other, db) { other.claim("m-1", attempt: 0, replayed: false) })
        #expect(try Self.states(db) == ["work:m-1": "processed/0", "work:m-2": "processed/0", "other:m-1": "processed/0"])
        #expect(try db.scalar("SELECT processed_at FROM processed_messages WHERE queue = 'work' LIMIT 1")?.stringValue
                    == "2026-11-24T06:00:00.123Z")
        // A fresh start (a restarted worker) reads the same state back from the log.
        let restarted = try Ledger(queue: "work", db: try scratch.open())
        #expect(try Self.batch(restarted, db) { restarted.claim("m-1", attempt: 0, replayed: false) } == false)
    }

    @Test func aRetryRunsOnlyFromItsOwnAttemptAndAReplayReopensADeadLetter() throws {
        let scratch = Scratch()
        let db = try scratch.open()
        let ledger = try Ledger(queue: "work", db: db)
        try Self.batch(ledger, db) {
            ledger.record("m-2", outcome: .retryScheduled, attempts: 2, detail: "busy")
            ledger.record("m-3", outcome: .deadLettered, attempts: 1, detail: "bad year")
        }
        #expect(try Self.states(db) == ["work:m-2": "retry-scheduled/2", "work:m-3": "dead-lettered/1"])
        // The original, redelivered after a crash, must not run beside its retry copy.
        #expect(try Self.batch(ledger, db) { ledger.claim("m-2", attempt: 1, replayed: false) } == false)
        #expect(try Self.batch(ledger, db) { ledger.claim("m-2", attempt: 2, replayed: false) })
        #expect(try Self.batch(ledger, db) { ledger.claim("m-3", attempt: 0, replayed: false) } == false)
        #expect(try Self.batch(ledger, db) { ledger.claim("m-3", attempt: 0, replayed: true) })
        // The latest entry is the state: processed, with the attempt it succeeded on.
        #expect(try Self.states(db) == ["work:m-2": "processed/2", "work:m-3": "processed/0"])
    }

    @Test func whatRollsBackLeavesNoEntry() throws {
        let scratch = Scratch()
        let db = try scratch.open()
        let ledger = try Ledger(queue: "work", db: db)
        try Self.batch(ledger, db) {
            #expect(ledger.claim("kept", attempt: 0, replayed: false))
            let mark = ledger.mark
            #expect(ledger.claim("failed", attempt: 0, replayed: false))
            ledger.rollback(to: mark)  // its savepoint rolled back
            ledger.record("failed", outcome: .deadLettered, attempts: 1, detail: "line 2, field year: \"7\"")
        }
        struct Abandon: Error {}
        #expect(throws: Abandon.self) {
            try Self.batch(ledger, db) {
                #expect(ledger.claim("lost", attempt: 0, replayed: false))
                throw Abandon()
            }
        }
        #expect(try Self.batch(ledger, db) { ledger.claim("lost", attempt: 0, replayed: false) })
        #expect(try Self.states(db) == ["work:kept": "processed/0", "work:failed": "dead-lettered/1", "work:lost": "processed/0"])
        #expect(try db.scalar("SELECT detail FROM processed_messages WHERE message_id = 'failed'")?.stringValue
                    == "line 2, field year: \"7\"")
    }

    @Test func consumersOnOtherConnectionsSeeEachOthersCommits() throws {
        let scratch = Scratch()
        let dbA = try scratch.open(), dbB = try scratch.open()
        let a = try Ledger(queue: "work", db: dbA), b = try Ledger(queue: "work", db: dbB)
        // Another queue's traffic in between must not hide anything from either.
        let noise = try Ledger(queue: "noise", db: dbA)
        #expect(try Self.batch(a, dbA) { a.claim("m-1", attempt: 0, replayed: false) })
        try Self.batch(noise, dbA) { _ = noise.claim("n-1", attempt: 0, replayed: false) }
        #expect(try Self.batch(b, dbB) { b.claim("m-1", attempt: 0, replayed: false) } == false)
        #expect(try Self.batch(b, dbB) { b.claim("m-2", attempt: 0, replayed: false) })
        #expect(try Self.batch(a, dbA) { a.claim("m-2", attempt: 0, replayed: false) } == false)
        // A purge that empties the log must not let new rows reuse old numbers, which a
        // consumer following the log would skip.
        try dbA.execute("DELETE FROM ledger_log")
        #expect(try Self.batch(a, dbA) { a.claim("m-3", attempt: 0, replayed: false) })
        #expect(try Self.batch(b, dbB) { b.claim("m-3", attempt: 0, replayed: false) } == false)
    }

    @Test func idsOfAnyShapeSurviveTheBatchRow() throws {
        let scratch = Scratch()
        let db = try scratch.open()
        let ledger = try Ledger(queue: "work", db: db)
        let ids = ["plain", "quote\"d", "back\\slash", "new\nline", "tab\tand\u{1}control", "comma,]", "Ysgol Gymraeg ✓", ""]
        let claims = try Self.batch(ledger, db) { ids.map { ledger.claim($0, attempt: 0, replayed: false) } }
        #expect(claims.allSatisfy { $0 })
        #expect(Set(try db.query("SELECT message_id FROM processed_messages").map { $0.string(0)! }) == Set(ids))
        let restarted = try Ledger(queue: "work", db: try scratch.open())
        #expect(try Self.batch(restarted, db) { ids.filter { restarted.claim($0, attempt: 0, replayed: false) } } == [])
    }

    @Test func migrationTwoKeepsEveryVersionOneRowAsItWas() throws {
        let scratch = Scratch()
        let db = try scratch.open(migrations: Array(WorkerRuntime.migrations.prefix(1)))
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
        let ledger = try Ledger(queue: "datadrop.ingest", db: db)
        let claims = try Self.batch(ledger, db) {
            [ledger.claim("drop-1", attempt: 0, replayed: false),
             ledger.claim("drop-2", attempt: 3, replayed: false),
             ledger.claim("drop-3", attempt: 0, replayed: false)]
        }
        #expect(claims == [false, true, true])
    }
}
