import Foundation
import Store
import Testing
import TrustWorkers
import WorkerKit

@Suite("Retention: trustctl purge --before")
struct RetentionTests {
    @Test func purgeRemovesOnlyWhatIsOlderThanTheCutOff() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ret-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try Database(path: dir.appendingPathComponent("t.sqlite").path)
        defer { db.close() }
        try db.migrate(WorkerRuntime.migrations + TrustSchema.all)
        for (academy, at) in [("birstall", "2021-10-01T00:00:00Z"), ("coppice", "2023-10-01T00:00:00Z")] {
            try db.execute("""
                INSERT INTO drop_attempts (academy, drop_id, message_id, status, received_at, pupils, error_count)
                VALUES (?, '2021-22/autumn', 'm', 'accepted', ?, 1, 0)
                """, [.text(academy), .text(at)])
            try db.execute("""
                INSERT INTO drop_pupils (academy, drop_id, pupil_key, year, pp, eal, send) VALUES (?, '2021-22/autumn', 'k', '3', 0, 0, 'N')
                """, [.text(academy)])
            try db.execute("""
                INSERT INTO survey_responses (survey_id, response_key, academy, message_id, imported_at) VALUES ('s', ?, ?, 'm', ?)
                """, [.text(academy), .text(academy), .text(at)])
        }
        try db.execute("INSERT INTO ledger_queues (id, name) VALUES (1, 'datadrop.ingest')")
        // 2021-10-01 and 2023-10-01, a retry and a dead letter among them.
        for (id, ms, outcome) in [("old", 1_633_046_400_000, 0), ("new", 1_696_118_400_000, 0), ("old-retry", 1_633_046_400_000, 1),
                                  ("new-dead", 1_696_118_400_000, 2)] {
            try db.execute("INSERT INTO message_ledger (queue_id, message_id, outcome, attempts, at_ms) VALUES (1, ?, ?, 0, ?)",
                           [.text(id), .int(outcome), .int(ms)])
        }
        let deleted = Dictionary(try Retention.purge(db, before: "2022-09-01T00:00:00Z").map { ($0.table, $0.rows) },
                                 uniquingKeysWith: +)
        #expect(deleted["drop_pupils"] == 1)
        #expect(deleted["survey_responses"] == 1)
        #expect(deleted["message_ledger"] == 2)
        #expect(try db.query("SELECT message_id FROM processed_messages ORDER BY 1").map { $0.string(0) } == ["new", "new-dead"])
        #expect(try db.scalar("SELECT academy FROM drop_pupils")?.stringValue == "coppice")
        #expect(try db.scalar("SELECT academy FROM survey_responses")?.stringValue == "coppice")
    }
}
