import CSQLite

/// `SQLITE_TRANSIENT`: SQLite copies the bytes during the bind call, so Swift's buffer only has
/// to live for that call. The C macro is a cast of -1 that Swift cannot import.
private let transientDestructor = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// Lets statements notice that their `Database` was closed without holding the database itself
/// (the database's cache holds the statements, so a back-reference would be a cycle).
final class ConnectionState {
    var isOpen = true
}

/// A compiled SQL statement, reused across executions.
///
/// Compiling SQL costs far more than running a small INSERT, so hot paths obtain a statement
/// once from `Database.prepare(_:)` and run it per row with fresh bindings. A statement belongs
/// to the same thread as its `Database` and is deliberately not `Sendable`.
///
/// The statement obtained for some SQL text is the same object `Database.execute` and
/// `Database.query` use for that text; run them one after another, not interleaved with an
/// unfinished `step()` loop (a busy statement is never handed out twice: a fresh one is
/// compiled instead).
public final class Statement {
    /// The SQL text, kept for error reports. Bound values are never recorded anywhere.
    public let sql: String
    private var handle: OpaquePointer?
    private let connection: ConnectionState
    /// Cached because the hot path checks it on every `bind(_:)`.
    public let parameterCount: Int

    init(handle: OpaquePointer, sql: String, connection: ConnectionState) {
        self.handle = handle
        self.sql = sql
        self.connection = connection
        self.parameterCount = Int(sqlite3_bind_parameter_count(handle))
    }

    deinit {
        // Statements evicted from the cache may outlive `Database.close()`; `sqlite3_close_v2`
        // keeps the connection alive until this last finalize, so this is always safe.
        sqlite3_finalize(handle)
    }

    /// Called by `Database.close()` so the connection can actually close.
    func finalize() {
        sqlite3_finalize(handle)
        handle = nil
    }

    /// Stepped but not yet reset; such a statement holds its read snapshot or write lock.
    var isBusy: Bool { handle.map { sqlite3_stmt_busy($0) != 0 } ?? false }

    private func live() throws -> OpaquePointer {
        guard connection.isOpen, let handle else {
            throw StoreError.misuse("statement used after its database was closed", sql: sql)
        }
        return handle
    }

    private func check(_ rc: Int32, _ handle: OpaquePointer) throws {
        if rc != SQLITE_OK { throw StoreError.from(rc, db: sqlite3_db_handle(handle), sql: sql) }
    }

    // MARK: Binding

    /// Binds every parameter at once, after resetting a previous run.
    ///
    /// The count must match exactly: SQLite would silently treat a missing parameter as NULL,
    /// which turns a call-site mistake into quietly wrong data.
    public func bind(_ values: [SQLValue]) throws {
        let handle = try live()
        guard values.count == parameterCount else {
            throw StoreError(code: SQLITE_RANGE,
                             message: "statement takes \(parameterCount) parameter(s), got \(values.count)",
                             sql: sql)
        }
        sqlite3_reset(handle)
        for (offset, value) in values.enumerated() {
            try bind(value, at: Int32(offset + 1))
        }
    }

    /// Binds one parameter (1-based, as in SQLite) without building an array, for loops that
    /// insert many rows. The statement must be reset (it is after `execute()`/`run`).
    public func bind(_ value: SQLValue, at index: Int32) throws {
        switch value {
        case .null: try bindNull(at: index)
        case .integer(let v): try bind(v, at: index)
        case .real(let v): try bind(v, at: index)
        case .text(let v): try bind(v, at: index)
        case .blob(let v): try bind(v, at: index)
        }
    }

    public func bindNull(at index: Int32) throws {
        let handle = try live()
        try check(sqlite3_bind_null(handle, index), handle)
    }

    public func bind(_ value: Int64, at index: Int32) throws {
        let handle = try live()
        try check(sqlite3_bind_int64(handle, index, value), handle)
    }

    public func bind(_ value: Int, at index: Int32) throws {
        try bind(Int64(value), at: index)
    }

    public func bind(_ value: Double, at index: Int32) throws {
        let handle = try live()
        try check(sqlite3_bind_double(handle, index, value), handle)
    }

    /// Passes the string's UTF-8 storage with an explicit length: no NUL-terminated copy is made
    /// on the Swift side, and text containing U+0000 survives intact. SQLite copies it once.
    public func bind(_ value: String, at index: Int32) throws {
        let handle = try live()
        var value = value // `withUTF8` is mutating: it may first make a bridged string native.
        try check(value.withUTF8 { bindText($0, at: index, on: handle) }, handle)
    }

    /// `sqlite3_bind_text64` for UTF-8 bytes, which SQLite copies during the call unless
    /// `copy` is false (SQLITE_STATIC: the caller keeps the bytes alive while they are bound).
    private func bindText(_ utf8: UnsafeBufferPointer<UInt8>, at index: Int32, on handle: OpaquePointer,
                          copy: Bool = true) -> Int32 {
        guard let base = utf8.baseAddress, !utf8.isEmpty else {
            // A NULL pointer would bind SQL NULL, not the empty string.
            return sqlite3_bind_text(handle, index, "", 0, transientDestructor)
        }
        return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
            sqlite3_bind_text64(handle, index, $0, UInt64(utf8.count), copy ? transientDestructor : nil,
                                UInt8(SQLITE_UTF8))
        }
    }

    /// Binds a string literal without copying it: its bytes live as long as the program, so
    /// SQLite is told they are static. For codes in hot insert loops, where the copy SQLite
    /// otherwise makes cost an allocation and a free per value.
    public func bind(literal value: StaticString, at index: Int32) throws {
        let handle = try live()
        precondition(value.hasPointerRepresentation, "a one-scalar StaticString has no stable bytes")
        let rc = UnsafeRawPointer(value.utf8Start).withMemoryRebound(to: CChar.self, capacity: value.utf8CodeUnitCount) {
            sqlite3_bind_text(handle, index, $0, Int32(value.utf8CodeUnitCount), nil)  // nil: SQLITE_STATIC
        }
        try check(rc, handle)
    }

    /// Binds `value[range]` as TEXT (not a BLOB): many short texts kept in one byte buffer bind
    /// without a `String` or an allocation each on the Swift side. The bytes are not
    /// validated: pass UTF-8 only.
    public func bind(utf8 value: [UInt8], range: Range<Int>, at index: Int32) throws {
        let handle = try live()
        precondition(range.lowerBound >= 0 && range.upperBound <= value.count, "range outside the buffer")
        try check(value.withUnsafeBufferPointer { bindText(UnsafeBufferPointer(rebasing: $0[range]), at: index, on: handle) },
                  handle)
    }

    public func bind(_ value: [UInt8], at index: Int32) throws {
        let handle = try live()
        let rc = value.withUnsafeBytes { bytes -> Int32 in
            guard let base = bytes.baseAddress, !bytes.isEmpty else {
                // A NULL pointer would bind SQL NULL, not an empty blob.
                return sqlite3_bind_zeroblob(handle, index, 0)
            }
            return sqlite3_bind_blob64(handle, index, base, UInt64(bytes.count), transientDestructor)
        }
        try check(rc, handle)
    }

    // MARK: Running

    /// Advances to the next row: `true` when a row is available through the column accessors,
    /// `false` when the statement has finished.
    ///
    /// On failure the statement is reset before throwing so it cannot keep holding a lock.
    public func step() throws -> Bool {
        let handle = try live()
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = StoreError.from(rc, db: sqlite3_db_handle(handle), sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Rewinds for another run, keeping bindings. An unfinished SELECT holds a read snapshot
    /// (which blocks WAL checkpoints) until reset, so every loop that stops early must reset.
    public func reset() {
        if let handle { sqlite3_reset(handle) }
    }

    /// Runs to completion with the current bindings, then resets; returns the rows changed by
    /// this statement (0 for anything but INSERT/UPDATE/DELETE, unlike raw `sqlite3_changes`,
    /// which would report the previous statement's count).
    @discardableResult
    public func execute() throws -> Int {
        let handle = try live()
        defer { sqlite3_reset(handle) }
        let db = sqlite3_db_handle(handle)
        let before = sqlite3_total_changes64(db)
        while try step() {}
        return sqlite3_total_changes64(db) == before ? 0 : Int(sqlite3_changes64(db))
    }

    /// Binds all parameters and runs to completion: the convenient form of the hot path.
    @discardableResult
    public func run(_ values: SQLValue...) throws -> Int {
        try run(values)
    }

    @discardableResult
    public func run(_ values: [SQLValue]) throws -> Int {
        try bind(values)
        return try execute()
    }

    // MARK: Reading the current row

    public var columnCount: Int {
        handle.map { Int(sqlite3_column_count($0)) } ?? 0
    }

    public func columnName(at index: Int) -> String {
        guard let handle, let name = sqlite3_column_name(handle, Int32(index)) else { return "" }
        return String(cString: name)
    }

    var columnNames: [String] {
        (0..<columnCount).map { columnName(at: $0) }
    }

    /// The column (0-based, as in SQLite) in its stored type; no affinity conversion happens.
    public func value(at index: Int) -> SQLValue {
        guard let handle else { return .null }
        let column = Int32(index)
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(handle, column))
        case SQLITE_TEXT:
            // Pointer first, then length: the documented order that avoids a conversion.
            guard let text = sqlite3_column_text(handle, column) else { return .text("") }
            let count = Int(sqlite3_column_bytes(handle, column))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            // A zero-length blob comes back as a NULL pointer; it is still a blob, not NULL.
            guard let bytes = sqlite3_column_blob(handle, column) else { return .blob([]) }
            let count = Int(sqlite3_column_bytes(handle, column))
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
        default:
            return .null
        }
    }

    /// Reads an integer column without going through `SQLValue`; NULL reads as 0, as in SQLite.
    public func int64(at index: Int) -> Int64 {
        handle.map { sqlite3_column_int64($0, Int32(index)) } ?? 0
    }

    /// Reads a REAL column without going through `SQLValue`; NULL reads as 0, as in SQLite.
    public func double(at index: Int) -> Double {
        handle.map { sqlite3_column_double($0, Int32(index)) } ?? 0
    }

    public func string(at index: Int) -> String? {
        value(at: index).stringValue
    }

    /// The whole current row, for callers that want name-based access.
    public func row() -> Row {
        Row(columns: columnNames, values: (0..<columnCount).map { value(at: $0) })
    }
}
