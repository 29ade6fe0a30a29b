import Store
import Testing

/// Thrown by a test's own code to roll back a transaction or savepoint.
private struct Stop: Error {}

/// `RowAppender`: rows held back and written as multi-row INSERTs, invisible to the code
/// around them except for when a bad row fails.
@Suite("Appending rows")
struct RowAppenderTests {
    private func database(_ schema: String = "CREATE TABLE t (n INTEGER NOT NULL, label TEXT)") throws -> Database {
        let db = try Database(path: ":memory:")
        try db.executeScript(schema)
        return db
    }

    /// A database with table `t` and an appender for its column `n`.
    private func appenderForN() throws -> (Database, RowAppender) {
        let db = try database()
        return (db, db.appender(into: "t", columns: ["n"]))
    }

    private func numbers(_ db: Database, _ sql: String = "SELECT n FROM t ORDER BY rowid") throws -> [Int64] {
        try db.query(sql).map { $0.values[0].int64Value ?? -1 }
    }

    @Test func heldRowsAreSeenByTheNextQueryInTheOrderAppended() throws {
        let db = try database()
        let appender = db.appender(into: "t", columns: ["n", "label"])
        try db.transaction {
            // 300 rows: two 128-row statements, then 32, 8 and 4.
            for n in 0..<300 { try appender.append([.int(n), .text("row \(n)")]) }
            #expect(appender.count == 300)
            #expect(try numbers(db) == (0..<300).map(Int64.init))
            #expect(appender.count == 0)
        }
        #expect(try db.scalar("SELECT label FROM t WHERE n = 299") == .text("row 299"))
        #expect(try db.scalar("SELECT count(*) FROM t") == .integer(300))
    }

    /// Texts and blobs are copied into the appender and bound from there: every kind of
    /// value, empty ones and text with a NUL included, must come back exactly.
    @Test func everyKindOfValueIsStoredExactly() throws {
        let db = try database("CREATE TABLE v (a, b)")
        let rows: [[SQLValue]] = [
            [.integer(-7), .real(2.5)], [.text(""), .blob([])], [.text("nul\u{0}inside ✓"), .blob([0, 255, 1])],
            [.null, .text(String(repeating: "long ", count: 100))],
        ]
        let appender = db.appender(into: "v", columns: ["a", "b"])
        try db.transaction { for row in rows { try appender.append(row) } }
        let stored = try db.query("SELECT a, b FROM v ORDER BY rowid").map(\.values)
        #expect(stored == rows)
        // Nothing stays bound to the appender's buffer once it has written.
        try db.transaction { try appender.append([.integer(1), .integer(2)]) }
        #expect(try db.scalar("SELECT count(*) FROM v") == .integer(5))
    }

    @Test func aPreparedStatementRunAfterwardsSeesThemToo() throws {
        let db = try database()
        let count = try db.prepare("SELECT count(*) FROM t")
        try db.transaction {
            try db.appender(into: "t", columns: ["n"]).append([.int(7)])
            #expect(try count.step())
            #expect(count.int64(at: 0) == 1)
            count.reset()
        }
    }

    @Test func theCommitWritesRowsNoStatementAskedFor() throws {
        let db = try database()
        try db.transaction { try db.appender(into: "t", columns: ["n"]).append([.int(1)]) }
        #expect(try numbers(db) == [1])
    }

    @Test func aRolledBackTransactionWritesNothingAndForgetsItsRows() throws {
        let (db, appender) = try appenderForN()
        #expect(throws: Stop.self) {
            try db.transaction {
                try appender.append([.int(1)])
                throw Stop()
            }
        }
        #expect(appender.count == 0)
        try db.transaction { try appender.append([.int(2)]) }
        #expect(try numbers(db) == [2])
    }

    /// The rollback must not try to write what it is about to undo: a bad held row would
    /// fail that write, and the rollback with it.
    @Test func aRollbackNeverWritesHeldRowsEvenBadOnes() throws {
        let (db, appender) = try appenderForN()
        try db.transaction {
            try db.execute("INSERT INTO t (n) VALUES (1)")
            #expect(throws: Stop.self) {
                try db.savepoint {
                    try db.execute("INSERT INTO t (n) VALUES (2)")
                    try appender.append([.null])
                    throw Stop()
                }
            }
        }
        #expect(try numbers(db) == [1])
        #expect(throws: Stop.self) {
            try db.transaction {
                try appender.append([.null])
                throw Stop()
            }
        }
        #expect(!db.isInTransaction)
        #expect(try numbers(db) == [1])
    }

    @Test func aRolledBackSavepointDropsOnlyItsOwnRows() throws {
        let (db, appender) = try appenderForN()
        try db.transaction {
            try appender.append([.int(1)])
            #expect(throws: Stop.self) {
                try db.savepoint {
                    try appender.append([.int(2)])
                    throw Stop()
                }
            }
            try db.savepoint { try appender.append([.int(3)]) }
            try appender.append([.int(4)])
        }
        #expect(try numbers(db) == [1, 3, 4])
    }

    /// The one visible difference: a bad row fails at the next statement, none of the held
    /// rows is written, and the transaction rolls back as after any failed statement.
    @Test func aBadRowFailsTheNextStatementWithTheTablesErrorAndWritesNone() throws {
        let (db, appender) = try appenderForN()
        #expect(throws: StoreError.self) {
            try db.transaction {
                try appender.append([.int(1)])
                try appender.append([.null])  // NOT NULL
                try appender.append([.int(3)])
                _ = try db.scalar("SELECT count(*) FROM t")
            }
        }
        #expect(appender.count == 0)
        #expect(try numbers(db) == [])
        do {
            try db.transaction {
                try appender.append([.null])
                try db.writeHeldRows()
            }
            Issue.record("writeHeldRows() did not report the NOT NULL failure")
        } catch let error as StoreError {
            #expect(error.message.contains("NOT NULL"), "\(error)")
            #expect(error.message.contains("t.n"), "\(error)")
        }
    }

    @Test func aFailedReleaseRollsTheSavepointBackAndReportsTheFailureThere() throws {
        let (db, appender) = try appenderForN()
        var failures = 0
        try db.transaction {
            for n: Int64 in [1, -1, 3] {
                do {
                    try db.savepoint { try appender.append([n < 0 ? .null : .integer(n)]) }
                } catch is StoreError {
                    failures += 1
                }
            }
        }
        #expect(failures == 1)
        #expect(try numbers(db) == [1, 3])
    }

    @Test func twoAppendersKeepTheirOwnOrders() throws {
        let db = try database("CREATE TABLE t (n INTEGER NOT NULL, label TEXT); CREATE TABLE u (n INTEGER)")
        let t = db.appender(into: "t", columns: ["n"]), u = db.appender(into: "u", columns: ["n"])
        try db.transaction {
            for n in 0..<5 {
                try t.append([.int(n)])
                try u.append([.int(10 + n)])
            }
        }
        #expect(try numbers(db) == [0, 1, 2, 3, 4])
        #expect(try numbers(db, "SELECT n FROM u ORDER BY rowid") == [10, 11, 12, 13, 14])
        #expect(db.appender(into: "t", columns: ["n"]) === t)
    }

    @Test func aRowOfTheWrongWidthIsRefusedAtOnceWithTheTable() throws {
        let db = try database()
        let appender = db.appender(into: "t", columns: ["n", "label"])
        do {
            try appender.append([.int(1)])
            Issue.record("a one-value row was accepted for two columns")
        } catch let error as StoreError {
            #expect(error.message.contains("t takes 2 value(s) per row, got 1"), "\(error)")
        }
        #expect(appender.count == 0)
    }

    @Test func namesAreQuotedSoAnyTableNameWorks() throws {
        let db = try database(#"CREATE TABLE "odd ""name""" ("select" INTEGER)"#)
        try db.transaction { try db.appender(into: #"odd "name""#, columns: ["select"]).append([.int(5)]) }
        #expect(try db.scalar(#"SELECT "select" FROM "odd ""name""""#) == .integer(5))
    }
}
