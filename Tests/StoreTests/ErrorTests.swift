import Foundation
import Store
import Testing

@Suite struct ErrorTests {
    @Test func lockHeldByAnotherConnectionIsTransientBusy() throws {
        try withTemporaryDatabase(busyTimeout: .milliseconds(100)) { db, path in
            try db.executeScript("CREATE TABLE t(x)")
            let other = try Database(path: path)
            defer { other.close() }
            try other.execute("BEGIN IMMEDIATE")

            let started = Date()
            let error = #expect(throws: StoreError.self) {
                try db.execute("INSERT INTO t VALUES (?)", [1])
            }
            #expect(Date().timeIntervalSince(started) >= 0.08) // It waited for the busy timeout.
            #expect(error?.primaryCode == Code.busy)
            #expect(error?.isTransient == true)
            #expect(error?.isConstraintViolation == false)

            // With BEGIN IMMEDIATE the failure comes up front, before the body runs.
            var bodyRan = false
            let beginError = #expect(throws: StoreError.self) {
                try db.transaction { bodyRan = true }
            }
            #expect(beginError?.isTransient == true)
            #expect(!bodyRan)
            #expect(!db.isInTransaction)

            // Readers are not blocked by the writer in WAL mode.
            #expect(try db.scalar("SELECT count(*) FROM t") == .integer(0))

            try other.execute("ROLLBACK")
            try db.execute("INSERT INTO t VALUES (?)", [1])
            #expect(try db.scalar("SELECT count(*) FROM t") == .integer(1))
        }
    }

    @Test func constraintViolationIsPermanent() throws {
        let db = try Database(path: ":memory:")
        try db.executeScript("CREATE TABLE t(k TEXT NOT NULL UNIQUE)")
        try db.execute("INSERT INTO t VALUES (?)", ["a"])
        let error = #expect(throws: StoreError.self) { try db.execute("INSERT INTO t VALUES (?)", ["a"]) }
        #expect(error?.isConstraintViolation == true)
        #expect(error?.isTransient == false)
        #expect(error?.code == Code.constraintUnique)
        #expect(error?.primaryCode == Code.constraint)
    }

    @Test(arguments: [
        (Code.busy, true), (517, true) /* BUSY_SNAPSHOT */, (Code.locked, true),
        (Code.ioerr, true), (778, true) /* IOERR_WRITE */, (Code.full, true), (Code.cantopen, true),
        (Code.constraint, false), (Code.constraintUnique, false), (Code.mismatch, false),
        (Code.error, false), (Code.misuse, false), (Code.readonly, false), (Code.range, false),
    ] as [(Int32, Bool)])
    func classification(code: Int32, transient: Bool) {
        #expect(StoreError(code: code, message: "").isTransient == transient)
    }

    @Test func errorNamesTheSQLButNeverTheBoundValues() throws {
        let db = try Database(path: ":memory:")
        try db.executeScript("""
            CREATE TABLE contact(email TEXT NOT NULL UNIQUE CHECK (email NOT LIKE '%secret%'));
            """)
        let secret = "pupil.secret@example.org"
        let sql = "INSERT INTO contact(email) VALUES (?)"
        let error = #expect(throws: StoreError.self) { try db.execute(sql, [.text(secret)]) }
        let text = String(describing: try #require(error))
        #expect(error?.sql == sql)
        #expect(text.contains(sql))
        #expect(text.contains("CHECK constraint failed"))
        #expect(!text.contains(secret))
        #expect(!text.contains("example.org"))
    }

    @Test func badSQLIsPermanentAndNamesTheStatement() throws {
        let db = try Database(path: ":memory:")
        let error = #expect(throws: StoreError.self) { try db.query("SELEC 1") }
        #expect(error?.isTransient == false)
        #expect(error?.sql == "SELEC 1")
        #expect(error?.message.contains("syntax error") == true)
        let scriptError = #expect(throws: StoreError.self) { try db.executeScript("CREATE TABLE t(x); DROP TABLE nope") }
        #expect(scriptError?.message.contains("no such table") == true)
        #expect(scriptError?.sql == "CREATE TABLE t(x); DROP TABLE nope")
    }

    @Test func unopenablePathIsReportedWithThePath() throws {
        try withTemporaryDirectory { directory in
            // A path whose "parent directory" is a regular file cannot be created.
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let file = directory.appendingPathComponent("file")
            try Data().write(to: file)
            let path = file.appendingPathComponent("db.sqlite").path
            let error = #expect(throws: StoreError.self) { try Database(path: path) }
            #expect(error?.primaryCode == Code.cantopen)
            #expect(error?.message.contains(directory.lastPathComponent) == true)
        }
    }
}
