import Store
import Testing

/// Text bound from Swift strings, from ranges of a byte buffer and from string literals comes
/// back byte for byte, including U+0000 and non-ASCII text.
@Suite("Binding text")
struct BindingTests {
    static let values = ["m-1", String(repeating: "long id ", count: 20), "", "nul\u{0}inside ✓"]

    @Test func stringsAreStoredExactly() throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE t (v TEXT)")
        let insert = try db.prepare("INSERT INTO t (v) VALUES (?)")
        for value in Self.values {
            try insert.bind(value, at: 1)
            #expect(try insert.execute() == 1)
        }
        let stored = try db.query("SELECT v FROM t ORDER BY rowid").map { $0.values[0] }
        #expect(stored == Self.values.map { .text($0) })
        #expect(try db.query("SELECT typeof(v) AS t FROM t").allSatisfy { $0.string("t") == "text" })
    }

    @Test func rangesOfOneBufferAreStoredAsText() throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE t (v TEXT)")
        let insert = try db.prepare("INSERT INTO t (v) VALUES (?)")
        var buffer: [UInt8] = [], ranges: [Range<Int>] = []
        for value in Self.values {
            let start = buffer.count
            buffer.append(contentsOf: value.utf8)
            ranges.append(start..<buffer.count)
        }
        for range in ranges.reversed() {
            try insert.bind(utf8: buffer, range: range, at: 1)
            try insert.execute()
        }
        let stored = try db.query("SELECT v FROM t ORDER BY rowid").map { $0.values[0] }
        #expect(stored == Self.values.reversed().map { .text($0) })
    }

    @Test func literalsAreStoredExactly() throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE t (v TEXT)")
        let insert = try db.prepare("INSERT INTO t (v) VALUES (?)")
        try insert.bind(literal: "EXS ✓", at: 1)
        try insert.execute()
        #expect(try db.scalar("SELECT v FROM t") == .text("EXS ✓"))
    }
}
