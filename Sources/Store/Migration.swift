import CSQLite

/// One step of schema evolution, identified by a version number that never changes once
/// released, so every database records exactly which steps it has had.
public struct Migration: Sendable {
    /// Unique and increasing within the list passed to `Database.migrate`.
    public let version: Int
    /// Shown in errors and stored alongside the version so an operator can read the history.
    public let name: String
    /// One or more statements. They run inside a transaction, so they must not contain
    /// BEGIN/COMMIT, VACUUM, or `PRAGMA foreign_keys` (a no-op inside a transaction; use
    /// `PRAGMA defer_foreign_keys=ON` for table rebuilds instead).
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Why `Database.migrate` refused or stopped. Each case says what an operator should look at.
public enum MigrationError: Error, CustomStringConvertible, Sendable {
    /// The code's list is out of order or repeats a version: a merge mistake to fix in code.
    case versionsNotIncreasing(previous: Int, next: Int)
    /// The database records versions this build does not know: it was migrated by a newer
    /// build. Running older code against it could corrupt data, so nothing is done.
    case unknownAppliedVersions([Int])
    /// A migration failed; its transaction was rolled back, so the database is as it was
    /// before this migration (earlier migrations of the same run stay applied).
    case failed(version: Int, name: String, underlying: StoreError)

    public var description: String {
        switch self {
        case .versionsNotIncreasing(let previous, let next):
            "migration versions must be unique and increasing: \(next) follows \(previous)"
        case .unknownAppliedVersions(let versions):
            "database has migration(s) \(versions.map(String.init).joined(separator: ", ")) that this build does not know; it was migrated by a newer version of the code"
        case .failed(let version, let name, let underlying):
            "migration \(version) '\(name)' failed and was rolled back: \(underlying.message) (SQLite error \(underlying.code))"
        }
    }
}

extension Database {
    /// Brings the schema up to date by applying, in version order, every migration not yet
    /// recorded in `schema_migrations`.
    ///
    /// Each migration runs in its own `BEGIN IMMEDIATE` transaction together with the insert of
    /// its record, so it is applied exactly once or not at all (SQLite DDL is transactional).
    /// The write lock also serialises two processes starting at once: the second waits, then
    /// finds the version already recorded and skips it.
    public func migrate(_ migrations: [Migration]) throws {
        for (previous, next) in zip(migrations, migrations.dropFirst()) where next.version <= previous.version {
            throw MigrationError.versionsNotIncreasing(previous: previous.version, next: next.version)
        }
        try executeScript("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at TEXT NOT NULL
            )
            """)
        let applied = Set(try appliedMigrations())
        let known = Set(migrations.map(\.version))
        let unknown = applied.subtracting(known).sorted()
        guard unknown.isEmpty else { throw MigrationError.unknownAppliedVersions(unknown) }

        for migration in migrations where !applied.contains(migration.version) {
            do {
                try transaction {
                    let version = SQLValue.int(migration.version)
                    // Another process may have applied it while we waited for the lock.
                    if try scalar("SELECT 1 FROM schema_migrations WHERE version = ?", [version]) != nil {
                        return
                    }
                    try executeScript(migration.sql)
                    guard isInTransaction else {
                        throw StoreError.misuse("the migration's SQL ended the transaction itself (BEGIN/COMMIT/ROLLBACK); its effects may be committed without being recorded")
                    }
                    try execute("""
                        INSERT INTO schema_migrations (version, name, applied_at)
                        VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                        """, [version, .text(migration.name)])
                }
            } catch let error as StoreError {
                throw MigrationError.failed(version: migration.version, name: migration.name, underlying: error)
            }
        }
    }

    /// Versions recorded in this database, ascending; empty before the first `migrate`.
    public func appliedMigrations() throws -> [Int] {
        guard try tableExists("schema_migrations") else { return [] }
        return try query("SELECT version FROM schema_migrations ORDER BY version").compactMap { $0.int(0) }
    }
}
