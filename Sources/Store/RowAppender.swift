import CSQLite

/// Rows for one table, held back and written as multi-row INSERTs.
///
/// A handler that inserts one row per message pays for a whole statement each time: starting
/// it, positioning a cursor at the end of the table, halting and resetting. SQLite spent about
/// 2,000 instructions per message on that, more than on the row itself. An appender keeps
/// the rows and writes up to 128 of them per statement.
///
/// Nothing changes for the code around it. Held rows are written before any other statement
/// on the same connection runs. Every query, every savepoint boundary and the commit see
/// them, in the order they were appended. A rollback, of the transaction or of a savepoint,
/// discards rows that were never written. The one visible difference is *when* a bad row
/// fails: a constraint it breaks is reported by the statement that writes it, that is by the
/// next statement on the connection. That failure is a statement error like any other: the
/// held rows are dropped, none of them is written, and the transaction must be rolled back.
/// Code that needs a failure tied to its own call should call `Database.writeHeldRows()`
/// itself, or run the work in a `savepoint`, whose release writes held rows before it
/// completes.
///
/// Get one from `Database.appender(into:columns:)`. Use it on the database's thread only,
/// inside a transaction: outside one, held rows wait for the next statement, and closing the
/// database drops them.
public final class RowAppender {
    public let table: String
    public let columns: [String]
    private var held = HeldRows()
    /// The INSERT for each row count in use (powers of two up to `largestChunk`).
    private var statements: [Int: Statement] = [:]
    private let largestChunk: Int
    private unowned let database: Database
    private let connection: ConnectionState

    init(table: String, columns: [String], database: Database, connection: ConnectionState) {
        precondition(!columns.isEmpty, "an appender for \(table) needs at least one column")
        self.table = table
        self.columns = columns
        self.database = database
        self.connection = connection
        // SQLite's portable limit on parameters per statement is 32,766.
        var chunk = 128
        while chunk > 1 && chunk * columns.count > 32_766 { chunk /= 2 }
        largestChunk = chunk
    }

    /// Rows held and not yet written.
    public var count: Int { held.values.count / columns.count }

    /// Holds one row, `values` in the order of `columns`.
    public func append(_ row: [SQLValue]) throws {
        guard row.count == columns.count else {
            throw StoreError.misuse("appender for \(table) takes \(columns.count) value(s) per row, got \(row.count)")
        }
        if held.append(row) { connection.held.append(self) }
    }

    /// Writes and forgets the held rows; called once the appender is off the connection's list.
    func writeHeld() throws {
        let width = columns.count, total = count
        defer { discard() }
        var done = 0
        while done < total {
            var rows = largestChunk
            while rows > total - done { rows /= 2 }
            let statement = try insert(rows: rows)
            _ = try statement.withValues(held.values[done * width..<(done + rows) * width], in: held.bytes) {
                try statement.execute()
            }
            done += rows
        }
    }

    func discard() {
        held.removeAll()
    }

    private func insert(rows: Int) throws -> Statement {
        if let statement = statements[rows] { return statement }
        let width = columns.count
        let tuples = (0..<rows).map { row in
            "(" + (1...width).map { "?\(row * width + $0)" }.joined(separator: ", ") + ")"
        }
        let statement = try database.prepare("""
            INSERT INTO \(Self.quoted(table)) (\(columns.map(Self.quoted).joined(separator: ", ")))
            VALUES \(tuples.joined(separator: ", "))
            """)
        statements[rows] = statement
        return statement
    }

    private static func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// An appender's rows, row-major. Texts and blobs are copied into `bytes`, so a held value
/// owns no object and the write binds them without SQLite copying each one again. A struct,
/// so that appending a row is one access to the appender's storage: each access to a class's
/// stored property is checked for exclusivity at run time, and per field that cost more
/// than the copy.
struct HeldRows {
    var values: [BufferedValue] = []
    var bytes: [UInt8] = []

    /// Returns whether these were the first rows held, so the appender reaches the
    /// connection's list with the same one access to its storage.
    mutating func append(_ row: [SQLValue]) -> Bool {
        let wasEmpty = values.isEmpty
        for value in row {
            switch value {
            case .null: values.append(.null)
            case .integer(let v): values.append(.integer(v))
            case .real(let v): values.append(.real(v))
            case .text(let text):
                let start = bytes.count
                // A native string lends its UTF-8 without a mutable copy (and its retain).
                if text.utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil {
                    bytes.append(contentsOf: text.utf8)
                }
                values.append(.text(start..<bytes.count))
            case .blob(let blob):
                let start = bytes.count
                bytes.append(contentsOf: blob)
                values.append(.blob(start..<bytes.count))
            }
        }
        return wasEmpty
    }

    mutating func removeAll() {
        values.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
    }
}
