import CSQLite

/// A failure reported by SQLite (or by this module on SQLite's behalf).
///
/// It carries the statement's SQL text so an operator can tell *which* query failed, but never
/// the bound values: those may be pupils' or staff members' personal data and must not reach
/// logs or dead-letter reasons.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// SQLite's extended result code (e.g. 2067 = SQLITE_CONSTRAINT_UNIQUE). The low byte is the
    /// primary code; see `primaryCode`.
    public let code: Int32
    /// SQLite's own explanation (`sqlite3_errmsg`), or this module's for misuse it detects.
    public let message: String
    /// The statement that failed, if any. Bound values are deliberately absent.
    public let sql: String?

    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// The primary result code, which is what classification depends on: extended codes only
    /// refine the reason (which constraint, which I/O call).
    public var primaryCode: Int32 { code & 0xFF }

    /// Whether retrying the same work later can reasonably succeed, so a worker should republish
    /// to a delay queue rather than dead-letter.
    ///
    /// - BUSY / LOCKED: another connection holds the lock longer than our busy timeout.
    /// - IOERR / FULL / CANTOPEN: the disk, mount or permissions are unhealthy; an operator
    ///   or time (space freed, volume remounted) can clear it, and the message itself is fine.
    /// - PROTOCOL: a WAL locking race that SQLite itself documents as retryable.
    ///
    /// Everything else (CONSTRAINT, MISMATCH, TOOBIG, RANGE, ERROR for bad SQL, CORRUPT…) is
    /// permanent: the same input will fail the same way, so retrying only delays the
    /// dead-letter and hides the cause.
    public var isTransient: Bool {
        switch primaryCode {
        case SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_PROTOCOL:
            true
        default:
            false
        }
    }

    /// SQLite refused the statement with `SQLITE_CONSTRAINT`, whatever the extended code: a
    /// UNIQUE or PRIMARY KEY, NOT NULL, CHECK or FOREIGN KEY rule, or a trigger's `RAISE`.
    /// Permanent (see `isTransient`). A statement written `ON CONFLICT DO NOTHING`, as the
    /// ledger's claim is, skips a duplicate key instead of raising this.
    public var isConstraintViolation: Bool { primaryCode == SQLITE_CONSTRAINT }

    /// Another connection holds what was needed (a lock, a running checkpoint).
    public var isBusy: Bool { primaryCode == SQLITE_BUSY }

    public var description: String {
        var text = "SQLite error \(code) (\(String(cString: sqlite3_errstr(code)))): \(message)"
        if let sql { text += " [sql: \(sql)]" }
        return text
    }
}

extension StoreError {
    /// Builds the error for a failed call on `db`. `sqlite3_errmsg` describes the *most recent*
    /// failure, which is not ours if the code differs (e.g. a later successful call reset it),
    /// so fall back to the generic text for `code` in that case.
    static func from(_ code: Int32, db: OpaquePointer?, sql: String?) -> StoreError {
        let message: String
        if let db, sqlite3_extended_errcode(db) == code {
            message = String(cString: sqlite3_errmsg(db))
        } else {
            message = String(cString: sqlite3_errstr(code))
        }
        return StoreError(code: code, message: message, sql: sql)
    }

    static func misuse(_ message: String, sql: String? = nil) -> StoreError {
        StoreError(code: SQLITE_MISUSE, message: message, sql: sql)
    }
}
