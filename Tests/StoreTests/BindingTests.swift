import Store
import Testing

/// `Statement.withText`: text bound without SQLite's copy, for the duration of a closure only.
@Suite("Binding text without a copy")
struct BindingTests {
    @Test func theTextIsStoredExactlyAndTheParameterIsClearedAfterwards() throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE t (v TEXT)")
        let insert = try db.prepare("INSERT INTO t (v) VALUES (?)")
        // Inline (short), heap-allocated (long), empty, and with a NUL and non-ASCII text.
        let values = ["m-1", String(repeating: "long id ", count: 20), "", "nul\u{0}inside ✓"]
        for value in values {
            #expect(try insert.withText(value, at: 1) { try insert.execute() } == 1)
        }
        // Outside the closure the parameter no longer points at the string's bytes.
        try insert.execute()
        let stored = try db.query("SELECT v FROM t ORDER BY rowid").map { $0.values[0] }
        #expect(stored == values.map { .text($0) } + [.null])
    }

    @Test func anErrorInsideStillClearsTheParameter() throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE t (v TEXT NOT NULL UNIQUE)")
        let insert = try db.prepare("INSERT INTO t (v) VALUES (?)")
        _ = try insert.withText("once", at: 1) { try insert.execute() }
        #expect(throws: StoreError.self) { try insert.withText("once", at: 1) { try insert.execute() } }
        #expect(throws: StoreError.self) { try insert.execute() }  // NULL now: NOT NULL fails
        #expect(try db.scalar("SELECT count(*) FROM t") == .integer(1))
    }

    @Test func manyTextsFromOneBufferAreStoredExactlyAndClearedAfterwards() throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE t (a TEXT, b TEXT, c TEXT)")
        let insert = try db.prepare("INSERT INTO t (a, b, c) VALUES (?1, ?2, ?3)")
        let texts = ["", "m-1", "nul\u{0}inside ✓"]
        var buffer: [UInt8] = [], ranges: [Range<Int>] = []
        for text in texts {
            let start = buffer.count
            buffer.append(contentsOf: text.utf8)
            ranges.append(start..<buffer.count)
        }
        // Parameters 2 and 3 from the last two ranges; parameter 1 stays unbound (NULL).
        #expect(try insert.withTexts(in: buffer, ranges[1...], from: 2) { try insert.execute() } == 1)
        #expect(try insert.withTexts(in: buffer, ranges[0..<3], from: 1) { try insert.execute() } == 1)
        try insert.execute()
        let stored = try db.query("SELECT a, b, c FROM t ORDER BY rowid").map(\.values)
        #expect(stored == [[.null, .text("m-1"), .text("nul\u{0}inside ✓")],
                           [.text(""), .text("m-1"), .text("nul\u{0}inside ✓")],
                           [.null, .null, .null]])
    }
}
