import CSQLite
import Foundation

/// One SQLite connection.
///
/// `@unchecked Sendable` only so it can be created on one thread and handed to the worker
/// thread that owns it from then on; it is never used by two threads at once. It is opened with
/// `SQLITE_OPEN_NOMUTEX` and has no locks of its own: concurrent use is a bug, not a slowdown.
/// Workers that need parallel database access open one `Database` per thread; WAL mode lets
/// their readers run alongside the single writer.
public final class Database: @unchecked Sendable {
    /// The file path given at open, for log lines and error reports.
    public let path: String
    private var handle: OpaquePointer?
    private let connection = ConnectionState()
    private var statements: [String: Statement] = [:]
    private var savepointDepth = 0
    /// Keeps the closure given to `onLogCommit` alive while SQLite holds a pointer to it.
    private var logCommitHandler: LogCommitHandler?

    /// Bounds the statement cache so code that builds SQL text dynamically (e.g. `IN (?, ?, …)`
    /// lists of varying length) cannot grow it without limit. Hot paths use a handful of
    /// statements, far below this.
    static let statementCacheCapacity = 128

    /// Opens (creating if needed) the database at `path`, or `":memory:"` for a private
    /// in-memory database.
    ///
    /// The connection is configured for a worker that commits small batches while other
    /// processes (trustctl, a reporting job) read the same file:
    /// - `journal_mode=WAL`: readers never block the writer or each other, and a commit is one
    ///   append to the log. Open fails if WAL cannot be enabled (e.g. a network filesystem
    ///   without shared memory), because the busy and durability reasoning below depends on it.
    /// - `synchronous=NORMAL`: in WAL mode a committed transaction survives a crash or kill of
    ///   the process; only an OS crash or power cut can lose the last few commits (the WAL is
    ///   fsynced at checkpoints, not at every commit). That is the failure we design for; `FULL`
    ///   would cost an fsync per batch for the power-loss case.
    /// - `foreign_keys=ON`: SQLite leaves enforcement off by default for backwards
    ///   compatibility; a schema's declared references should actually hold.
    /// - `busyTimeout`: how long a statement waits for another connection's lock before failing
    ///   with a transient `SQLITE_BUSY`. It is set before any pragma, because switching to WAL
    ///   itself needs a lock that a concurrently starting process may hold.
    ///
    /// The parent directory is created if missing so a fresh deployment needs no setup step.
    /// With `readOnly`, nothing is created and the journal mode is left as the writer set it.
    public init(path: String, busyTimeout: Duration = .milliseconds(5000), readOnly: Bool = false) throws {
        self.path = path
        let inMemory = path == ":memory:" || path.isEmpty
        if !inMemory && !readOnly {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw StoreError(code: SQLITE_CANTOPEN,
                                 message: "cannot create directory '\(directory.path)': \(error.localizedDescription)")
            }
        }

        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            | SQLITE_OPEN_NOMUTEX
        _ = Self.configureOnce
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let cause = StoreError.from(rc, db: db, sql: nil)
            sqlite3_close_v2(db) // A failed open still allocates a handle.
            throw StoreError(code: rc, message: "cannot open '\(path)': \(cause.message)")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)

        do {
            let (seconds, attoseconds) = busyTimeout.components
            let milliseconds = seconds.multipliedReportingOverflow(by: 1000).partialValue
                + attoseconds / 1_000_000_000_000_000
            sqlite3_busy_timeout(db, Int32(clamping: max(0, milliseconds)))

            if !readOnly {
                let mode = try switchToWAL(within: Double(max(0, milliseconds)) / 1000)
                if mode != "wal" && !inMemory {
                    throw StoreError(code: SQLITE_ERROR,
                                     message: "journal_mode is '\(mode)', expected 'wal' (filesystem without shared-memory support?)",
                                     sql: "PRAGMA journal_mode=WAL")
                }
                try executeScript("PRAGMA synchronous=NORMAL")
            }
            try executeScript("PRAGMA foreign_keys=ON")
            guard try scalar("PRAGMA foreign_keys")?.int64Value == 1 else {
                throw StoreError(code: SQLITE_ERROR, message: "this SQLite build cannot enforce foreign keys",
                                 sql: "PRAGMA foreign_keys=ON")
            }
        } catch {
            close()
            throw error
        }
    }

    deinit {
        close()
    }

    /// Process-wide settings that SQLite accepts only before its first connection; a lazy
    /// static runs them exactly once, on first open.
    private static let configureOnce: Void = {
        _ = trust_sqlite3_disable_memstatus()
    }()

    /// Switching a fresh file to WAL needs an exclusive lock, and SQLite skips the busy handler
    /// here (waiting could deadlock), so two processes opening a new database together can see
    /// SQLITE_BUSY at once. Retry within the busy timeout instead of failing the start-up.
    private func switchToWAL(within seconds: Double) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            do {
                return try scalar("PRAGMA journal_mode=WAL")?.stringValue?.lowercased() ?? "unknown"
            } catch let error as StoreError where error.primaryCode == SQLITE_BUSY && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
    }

    /// Calls `handler` with the number of pages in the write-ahead log after every commit on
    /// this connection, in place of SQLite's own rule (checkpoint inside the commit once the
    /// log passes 1000 pages). For connections whose checkpoints are run elsewhere, so that no
    /// commit pays for copying the log into the database. Runs on the committing thread.
    public func onLogCommit(_ handler: @escaping (Int) -> Void) throws {
        let db = try live()
        let box = LogCommitHandler(handler)
        logCommitHandler = box
        sqlite3_wal_hook(db, { context, _, _, pages in
            guard let context else { return SQLITE_OK }
            Unmanaged<LogCommitHandler>.fromOpaque(context).takeUnretainedValue().handler(Int(pages))
            return SQLITE_OK
        }, Unmanaged.passUnretained(box).toOpaque())
    }

    /// Waits for a lock by trying again every 100 µs, for up to `total`, instead of SQLite's
    /// busy timeout, which sleeps 1, 2, 5, 10… ms between tries. For a connection that needs
    /// another connection's lock in the short gaps between its transactions (a checkpoint
    /// waiting for the writer): the timeout's sleeps mostly miss those gaps.
    public func pollWhenBusy(for total: Duration) throws {
        let db = try live()
        let tries = max(1, Int(total / .microseconds(100)))
        sqlite3_busy_handler(db, { context, count in
            guard Int(count) < Int(bitPattern: context) else { return 0 }
            usleep(100)
            return 1
        }, UnsafeMutableRawPointer(bitPattern: tries))
    }

    /// Sets how much memory this connection's page cache may use. SQLite's default (2 MiB)
    /// suits small transactions; one that writes more pages than fit must spill dirty pages
    /// to the log mid-transaction and read them back, which a worker inserting whole files
    /// of pupils per batch avoids with a larger cache. Memory is taken only as pages are used.
    public func setCacheSize(kibibytes: Int) throws {
        try executeScript("PRAGMA cache_size = -\(max(1, kibibytes))")
    }

    /// Finalizes cached statements and closes the connection; later calls throw `SQLITE_MISUSE`
    /// instead of touching freed memory. Safe to call twice. In WAL mode the last connection to
    /// close also checkpoints and removes the `-wal` file.
    public func close() {
        guard let db = handle else { return }
        for statement in statements.values { statement.finalize() }
        statements.removeAll()
        connection.isOpen = false
        handle = nil
        // `_v2` defers the real close until statements held outside the cache are finalized.
        sqlite3_close_v2(db)
    }

    private func live() throws -> OpaquePointer {
        guard let handle else { throw StoreError.misuse("database '\(path)' is closed") }
        return handle
    }

    // MARK: Connection state

    /// The rowid of the most recent successful INSERT on this connection (not per statement).
    public var lastInsertRowID: Int64 {
        handle.map { sqlite3_last_insert_rowid($0) } ?? 0
    }

    /// Rows changed by the most recent INSERT/UPDATE/DELETE on this connection.
    public var changes: Int {
        handle.map { Int(sqlite3_changes64($0)) } ?? 0
    }

    /// False in autocommit mode. Also false if SQLite rolled a transaction back on its own after
    /// an error such as `SQLITE_FULL` — the check that tells a batch loop its earlier work is gone.
    public var isInTransaction: Bool {
        handle.map { sqlite3_get_autocommit($0) == 0 } ?? false
    }

    // MARK: Statements

    /// Returns the compiled statement for `sql`, compiling it only the first time.
    ///
    /// `sql` must be exactly one statement: SQLite would otherwise silently ignore the rest.
    /// If the cached statement is mid-iteration (stepped, not reset), a fresh uncached one is
    /// returned so the two uses cannot disturb each other.
    public func prepare(_ sql: String) throws -> Statement {
        if let cached = statements[sql], !cached.isBusy { return cached }
        let statement = try compile(sql)
        if statements[sql] == nil {
            if statements.count >= Self.statementCacheCapacity {
                // Crude but sufficient: hot statements are recompiled once; anything still held
                // elsewhere stays valid and is finalized when released.
                statements.removeAll()
            }
            statements[sql] = statement
        }
        return statement
    }

    private func compile(_ sql: String) throws -> Statement {
        let db = try live()
        var compiled: OpaquePointer?
        var rc: Int32 = SQLITE_OK
        var hasTrailingStatement = false
        sql.withCString { text in
            var tail: UnsafePointer<CChar>?
            rc = sqlite3_prepare_v3(db, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &compiled, &tail)
            guard rc == SQLITE_OK, let tail, tail.pointee != 0 else { return }
            // Whatever follows may be only whitespace or comments; compile it to find out.
            var extra: OpaquePointer?
            if sqlite3_prepare_v2(db, tail, -1, &extra, nil) != SQLITE_OK || extra != nil {
                hasTrailingStatement = true
            }
            sqlite3_finalize(extra)
        }
        guard rc == SQLITE_OK else { throw StoreError.from(rc, db: db, sql: sql) }
        guard let compiled else { throw StoreError.misuse("no SQL statement to prepare", sql: sql) }
        if hasTrailingStatement {
            sqlite3_finalize(compiled)
            throw StoreError.misuse("expected one SQL statement; use executeScript for several", sql: sql)
        }
        return Statement(handle: compiled, sql: sql, connection: connection)
    }

    /// Runs one statement with bound parameters and returns the rows it changed (0 for
    /// statements other than INSERT/UPDATE/DELETE). Any rows it returns are discarded.
    @discardableResult
    public func execute(_ sql: String, _ params: [SQLValue] = []) throws -> Int {
        try prepare(sql).run(params)
    }

    /// Runs one query and returns every row. For large results, step a `prepare`d statement
    /// instead so rows are not all held in memory at once.
    public func query(_ sql: String, _ params: [SQLValue] = []) throws -> [Row] {
        let statement = try prepare(sql)
        try statement.bind(params)
        defer { statement.reset() } // Release the read snapshot promptly.
        let columns = statement.columnNames
        var rows: [Row] = []
        while try statement.step() {
            rows.append(Row(columns: columns, values: (0..<columns.count).map { statement.value(at: $0) }))
        }
        return rows
    }

    /// The first column of the first row, or `nil` when there is no row — distinct from a row
    /// whose value is NULL (`.null`), so "not found" and "found, empty" stay apart.
    public func scalar(_ sql: String, _ params: [SQLValue] = []) throws -> SQLValue? {
        let statement = try prepare(sql)
        try statement.bind(params)
        defer { statement.reset() }
        return try statement.step() ? statement.value(at: 0) : nil
    }

    /// Whether a table or view named `name` exists.
    public func tableExists(_ name: String) throws -> Bool {
        try scalar("SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?",
                   [.text(name)])?.int64Value ?? 0 > 0
    }

    /// Runs several `;`-separated statements without parameters, for schema scripts and
    /// pragmas. Never interpolate values into `sql`; use `execute` with parameters for data.
    public func executeScript(_ sql: String) throws {
        let db = try live()
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &errorMessage)
        defer { sqlite3_free(errorMessage) }
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            throw StoreError(code: rc, message: message, sql: sql)
        }
    }

    // MARK: Transactions

    /// Runs `body` in a transaction: committed if it returns, rolled back if it throws, with the
    /// original error rethrown.
    ///
    /// It begins with `BEGIN IMMEDIATE`, taking the write lock up front. A deferred transaction
    /// would take it at its first write, and if another writer committed in between, SQLite
    /// returns `SQLITE_BUSY` at once without waiting (waiting could not help, since the
    /// snapshot is already stale). Taking it first means contention is absorbed by the busy
    /// timeout, and a failure happens before any work is done.
    ///
    /// Not reentrant: nesting throws `SQLITE_MISUSE`; use `savepoint` inside a transaction.
    @discardableResult
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        if isInTransaction {
            throw StoreError.misuse("transaction() called inside a transaction; use savepoint() to nest")
        }
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            guard isInTransaction else {
                // Some errors (FULL, IOERR, NOMEM) make SQLite roll back by itself. If the body
                // caught such an error and carried on, its later statements ran in autocommit.
                throw StoreError(code: SQLITE_ABORT,
                                 message: "SQLite rolled the transaction back after an error inside it; work before that error was not committed")
            }
            try execute("COMMIT")
            return result
        } catch {
            if isInTransaction { _ = try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Runs `body` so that, if it throws, only its own changes are undone and the enclosing
    /// transaction carries on: one bad message in a batch must not discard the others.
    ///
    /// Savepoints nest; each level gets its own name. Outside a transaction this starts one
    /// (via `transaction`, so with `BEGIN IMMEDIATE`). If `isInTransaction` is false after a
    /// savepoint failed, SQLite rolled back the whole transaction and the batch must be redone.
    @discardableResult
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        guard isInTransaction else { return try transaction(body) }
        // Names depend only on depth, so the statements below stay few and cacheable.
        let name = "store_savepoint_\(savepointDepth)"
        savepointDepth += 1
        defer { savepointDepth -= 1 }
        try execute("SAVEPOINT \(name)")
        do {
            let result = try body()
            try execute("RELEASE \(name)")
            return result
        } catch {
            if isInTransaction {
                _ = try? execute("ROLLBACK TO \(name)")
                _ = try? execute("RELEASE \(name)")
            }
            throw error
        }
    }

    // MARK: Maintenance

    /// How hard a checkpoint tries; see `sqlite3_wal_checkpoint_v2`.
    public enum CheckpointMode: Sendable {
        /// Copies what it can without waiting for readers or writers.
        case passive
        /// Waits for the writer lock and for readers, then copies everything.
        case full
        /// Like `full`, then waits so the next writer restarts the log from the beginning.
        case restart
        /// Like `restart`, then truncates the `-wal` file to zero bytes.
        case truncate
    }

    /// Copies the WAL back into the database file. SQLite does this automatically every ~1000
    /// pages; call it explicitly when idle (or with `.truncate` before a backup) to keep the
    /// `-wal` file from growing under a constant stream of readers.
    public func checkpoint(_ mode: CheckpointMode = .passive) throws {
        let db = try live()
        let flag = switch mode {
        case .passive: SQLITE_CHECKPOINT_PASSIVE
        case .full: SQLITE_CHECKPOINT_FULL
        case .restart: SQLITE_CHECKPOINT_RESTART
        case .truncate: SQLITE_CHECKPOINT_TRUNCATE
        }
        let rc = sqlite3_wal_checkpoint_v2(db, nil, flag, nil, nil)
        if rc != SQLITE_OK { throw StoreError.from(rc, db: db, sql: "PRAGMA wal_checkpoint") }
    }
}

/// The closure behind `Database.onLogCommit`, boxed so SQLite can hold a pointer to it.
private final class LogCommitHandler {
    let handler: (Int) -> Void
    init(_ handler: @escaping (Int) -> Void) { self.handler = handler }
}
