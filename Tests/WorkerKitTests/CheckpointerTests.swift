import Foundation
import Store
import Synchronization
import Testing
@testable import WorkerKit

@Suite("Background checkpoints")
struct CheckpointerTests {
    func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    /// Commits on a connection whose log commits are observed leave the pages in the log (no
    /// automatic checkpoint); the checkpointer then copies them into the database file, on its
    /// own connection.
    @Test func commitsLeaveTheLogAndTheCheckpointerCopiesIt() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let db = try Database(path: path)
        let pages = Mutex<[Int]>([])
        try db.onLogCommit { count in pages.withLock { $0.append(count) } }
        try db.execute("CREATE TABLE t (v TEXT)")
        try db.transaction {
            for i in 0..<25_000 { try db.execute("INSERT INTO t VALUES (?)", [.text(String(repeating: "x", count: 200) + "\(i)")]) }
        }
        let before = fileSize(path)
        #expect(fileSize(path + "-wal") > 1_000_000)
        let seen = pages.withLock { $0 }
        #expect(seen.count == 2 && seen[1] > Checkpointer.thresholdPages, "log pages after each commit: \(seen)")
        let checkpointer = Checkpointer(path: path, label: "test.checkpoint", log: Log(component: "test"))
        checkpointer.request()
        checkpointer.close()  // waits for the checkpoint
        #expect(fileSize(path) > before + 1_000_000)
        #expect(try db.scalar("SELECT count(*) FROM t") == 25_000)
        db.close()
    }

    /// A writer that never pauses, as a consumer draining a backlog is: a passive checkpoint
    /// alone never catches up with it, so the log would never start over and would grow with
    /// everything written. The restart step after it keeps the log near the threshold.
    @Test func theLogKeepsStartingOverUnderASteadyWriter() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let db = try Database(path: path)
        defer { db.close() }
        let checkpointer = Checkpointer(path: path, label: "test.checkpoint", log: Log(component: "test"))
        defer { checkpointer.close() }
        var restarts = 0, previous = 0
        try db.onLogCommit { pages in
            if pages < previous { restarts += 1 }
            previous = pages
            checkpointer.logCommitted(pages: pages)
        }
        try db.execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)")
        let insert = try db.prepare("INSERT INTO rows (payload) VALUES (?)")
        let payload = [UInt8](repeating: 7, count: 3_000)
        var largest = 0
        // About 12,000 pages, twelve times the threshold, in small back-to-back commits.
        for _ in 0..<3_000 {
            try db.transaction {
                for _ in 0..<4 { try insert.run([.blob(payload)]) }
            }
            largest = max(largest, fileSize(path + "-wal"))
        }
        let frame = 4_096 + 24
        // Without the restart step: no restart and all 18,000-odd frames in the log. The bounds
        // leave room for a checkpoint thread starved by a busy machine.
        #expect(restarts >= 2, "the log started over \(restarts) times")
        #expect(largest < 8 * Checkpointer.thresholdPages * frame, "the log reached \(largest / frame) frames")
    }
}
