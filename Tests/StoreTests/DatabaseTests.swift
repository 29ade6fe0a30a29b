import Foundation
import Store
import Testing

@Suite struct OpeningTests {
    @Test func fileDatabaseUsesWALForeignKeysNormalSyncAndBusyTimeout() throws {
        try withTemporaryDirectory { directory in
            // Nested, not yet existing directories: open must create them.
            let path = directory.appendingPathComponent("a/b/store.db").path
            let db = try Database(path: path, busyTimeout: .milliseconds(1234))
            defer { db.close() }
            #expect(FileManager.default.fileExists(atPath: path))
            #expect(try db.scalar("PRAGMA journal_mode") == .text("wal"))
            #expect(try db.scalar("PRAGMA foreign_keys") == .integer(1))
            #expect(try db.scalar("PRAGMA synchronous") == .integer(1)) // 1 = NORMAL
            #expect(try db.scalar("PRAGMA busy_timeout") == .integer(1234))
        }
    }

    @Test func inMemoryDatabaseSkipsTheWALCheck() throws {
        let db = try Database(path: ":memory:")
        #expect(try db.scalar("PRAGMA journal_mode") == .text("memory"))
        try db.executeScript("CREATE TABLE t(x); INSERT INTO t VALUES (1)")
        #expect(try db.scalar("SELECT count(*) FROM t") == .integer(1))
    }

    @Test func foreignKeysAreEnforced() throws {
        try withTemporaryDatabase { db, _ in
            try db.executeScript("""
                CREATE TABLE academy(id INTEGER PRIMARY KEY);
                CREATE TABLE pupil(id INTEGER PRIMARY KEY, academy INTEGER NOT NULL REFERENCES academy(id));
                INSERT INTO academy VALUES (1);
                """)
            try db.execute("INSERT INTO pupil VALUES (1, 1)")
            let error = #expect(throws: StoreError.self) {
                try db.execute("INSERT INTO pupil VALUES (2, ?)", [99])
            }
            #expect(error?.isConstraintViolation == true)
            #expect(error?.code == Code.constraintForeignKey)
            #expect(try db.scalar("SELECT count(*) FROM pupil") == .integer(1))
        }
    }

    @Test func readOnlyConnectionReadsButCannotWrite() throws {
        try withTemporaryDatabase { db, path in
            try db.executeScript("CREATE TABLE t(x); INSERT INTO t VALUES (7)")
            let reader = try Database(path: path, readOnly: true)
            defer { reader.close() }
            #expect(try reader.scalar("SELECT x FROM t") == .integer(7))
            let error = #expect(throws: StoreError.self) { try reader.execute("INSERT INTO t VALUES (8)") }
            #expect(error?.primaryCode == Code.readonly)
            #expect(error?.isTransient == false)
        }
    }

    @Test func closedDatabaseAndItsStatementsThrowMisuse() throws {
        let db = try Database(path: ":memory:")
        try db.executeScript("CREATE TABLE t(x)")
        let insert = try db.prepare("INSERT INTO t VALUES (?)")
        db.close()
        db.close() // Idempotent.
        #expect(throws: StoreError.self) { try db.execute("SELECT 1") }
        let error = #expect(throws: StoreError.self) { try insert.run(1) }
        #expect(error?.code == Code.misuse)
    }
}

@Suite struct ValueTests {
    static let values: [SQLValue] = [
        .null,
        .integer(0), .integer(Int64.min), .integer(Int64.max),
        .real(3.25), .real(-1e-300), .real(.infinity),
        .text(""), .text("plain"),
        .text("Grüße, Zoë — 日本語 👩‍👩‍👧 e\u{301}"),
        .text("nul\u{0}inside"),
        .blob([]), .blob([0]), .blob([0, 1, 0, 255, 0, 0]),
    ]

    @Test func everyValueRoundTripsUnchanged() throws {
        try withTemporaryDatabase { db, _ in
            // No declared type: no affinity, so SQLite stores exactly what was bound.
            try db.executeScript("CREATE TABLE t(id INTEGER PRIMARY KEY, v)")
            let insert = try db.prepare("INSERT INTO t(id, v) VALUES (?, ?)")
            for (i, value) in Self.values.enumerated() {
                try insert.run(.int(i), value)
            }
            let read = try db.query("SELECT v FROM t ORDER BY id").map { $0[0] }
            #expect(read == Self.values)
            // And through the typed storage class SQLite reports, not just equality.
            let types = try db.query("SELECT typeof(v) FROM t ORDER BY id").compactMap { $0.string(0) }
            #expect(types == ["null", "integer", "integer", "integer", "real", "real", "real",
                              "text", "text", "text", "text", "blob", "blob", "blob"])
            #expect(try db.scalar("SELECT length(v) FROM t WHERE id = 13") == .integer(6))
        }
    }

    @Test func typedBindsMatchSQLValueBinds() throws {
        let db = try Database(path: ":memory:")
        try db.executeScript("CREATE TABLE t(i, d, s, b, n)")
        let insert = try db.prepare("INSERT INTO t VALUES (?, ?, ?, ?, ?)")
        try insert.bind(42, at: 1)
        try insert.bind(2.5, at: 2)
        try insert.bind("ü\u{0}x", at: 3)
        try insert.bind([0, 0, 9] as [UInt8], at: 4)
        try insert.bindNull(at: 5)
        #expect(try insert.execute() == 1)
        let row = try #require(try db.query("SELECT * FROM t").first)
        #expect(row.values == [.integer(42), .real(2.5), .text("ü\u{0}x"), .blob([0, 0, 9]), .null])
    }

    @Test func literalsAndHelpers() {
        let values: [SQLValue] = [.null, 1, 1.5, "a", true, .int(3), .bool(false),
                                  .optional(nil as String?), .optional(5 as Int64?)]
        #expect(values == [.null, .integer(1), .real(1.5), .text("a"), .integer(1), .integer(3),
                           .integer(0), .null, .integer(5)])
    }

    @Test func rowGivesTypedAccessByNameAndIndex() throws {
        let db = try Database(path: ":memory:")
        let row = try #require(try db.query(
            "SELECT 7 AS n, 'x' AS name, 2.5 AS ratio, x'00ff' AS raw, NULL AS gone, 4.0 AS whole").first)
        #expect(row["n"] == .integer(7))
        #expect(row.int("n") == 7)
        #expect(row.int("N") == 7) // SQL identifiers are case-insensitive.
        #expect(row.int64(0) == 7)
        #expect(row.string("name") == "x")
        #expect(row.string(1) == "x")
        #expect(row.double("ratio") == 2.5)
        #expect(row.double("n") == 7.0)
        #expect(row.blob("raw") == [0, 255])
        #expect(row["gone"] == .null)
        #expect(row.string("gone") == nil)
        #expect(row["missing"] == nil)
        #expect(row.int("whole") == 4)
        #expect(row.string("n") == nil) // No silent stringification.
    }

    @Test func scalarDistinguishesNoRowFromNull() throws {
        let db = try Database(path: ":memory:")
        try db.executeScript("CREATE TABLE t(x)")
        #expect(try db.scalar("SELECT x FROM t") == nil)
        try db.execute("INSERT INTO t VALUES (NULL)")
        #expect(try db.scalar("SELECT x FROM t") == .null)
    }

    @Test func changesAndLastInsertRowID() throws {
        let db = try Database(path: ":memory:")
        #expect(try db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, x)") == 0)
        #expect(try db.execute("INSERT INTO t(x) VALUES (?), (?), (?)", [1, 2, 3]) == 3)
        #expect(db.lastInsertRowID == 3)
        #expect(try db.execute("UPDATE t SET x = x + 1 WHERE x >= ?", [2]) == 2)
        #expect(db.changes == 2)
        // A statement that changes nothing reports 0, not the previous statement's count.
        #expect(try db.execute("SELECT * FROM t") == 0)
        #expect(try db.execute("CREATE INDEX t_x ON t(x)") == 0)
    }
}

@Suite struct StatementTests {
    @Test func cachedStatementIsReusedAndRebound() throws {
        let db = try Database(path: ":memory:")
        try db.executeScript("CREATE TABLE t(k TEXT PRIMARY KEY, v INTEGER)")
        let sql = "INSERT INTO t(k, v) VALUES (?, ?)"
        let first = try db.prepare(sql)
        let second = try db.prepare(sql)
        #expect(first === second)
        try first.run("a", 1)
        try second.run("b", 2)
        try db.execute(sql, ["c", 3])
        try db.execute(sql, ["d", .null])
        let lookup = "SELECT v FROM t WHERE k = ?"
        #expect(try db.scalar(lookup, ["a"]) == .integer(1))
        #expect(try db.scalar(lookup, ["c"]) == .integer(3))
        #expect(try db.scalar(lookup, ["d"]) == .null)
        #expect(try db.query("SELECT k, v FROM t ORDER BY k").map { $0.values } ==
                [["a", 1], ["b", 2], ["c", 3], ["d", .null]])
    }

    @Test func busyStatementIsNotHandedOutTwice() throws {
        let db = try Database(path: ":memory:")
        try db.executeScript("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2)")
        let sql = "SELECT x FROM t ORDER BY x"
        let outer = try db.prepare(sql)
        #expect(try outer.step())
        // The cached statement is mid-iteration; a query with the same SQL must not reset it.
        #expect(try db.query(sql).count == 2)
        #expect(outer.int64(at: 0) == 1)
        #expect(try outer.step())
        #expect(outer.int64(at: 0) == 2)
        #expect(try outer.step() == false)
        outer.reset()
    }

    @Test func wrongParameterCountIsRejected() throws {
        let db = try Database(path: ":memory:")
        try db.executeScript("CREATE TABLE t(a, b)")
        let error = #expect(throws: StoreError.self) {
            try db.execute("INSERT INTO t VALUES (?, ?)", [1])
        }
        #expect(error?.code == Code.range)
        #expect(try db.scalar("SELECT count(*) FROM t") == .integer(0))
    }

    @Test func prepareRejectsASecondStatementButAllowsTrailingComments() throws {
        let db = try Database(path: ":memory:")
        #expect(throws: StoreError.self) { try db.prepare("SELECT 1; SELECT 2") }
        #expect(try db.scalar("SELECT 1; -- trailing comment\n") == .integer(1))
    }

    @Test func manyRowsThroughTheHotPathInOneTransaction() throws {
        try withTemporaryDatabase { db, _ in
            try db.executeScript("CREATE TABLE event(id INTEGER PRIMARY KEY, academy TEXT NOT NULL, score REAL)")
            let insert = try db.prepare("INSERT INTO event(academy, score) VALUES (?, ?)")
            let count = 20_000
            try db.transaction {
                for i in 0..<count {
                    try insert.bind("academy-\(i % 15)", at: 1)
                    try insert.bind(Double(i), at: 2)
                    try insert.execute()
                }
            }
            #expect(try db.scalar("SELECT count(*) FROM event") == .integer(Int64(count)))
            #expect(try db.scalar("SELECT sum(score) FROM event") == .real(Double(count * (count - 1) / 2)))
            try db.checkpoint(.truncate)
        }
    }
}
