import Foundation
import Store

/// A unique directory under the system temp directory, removed when `body` returns, so tests
/// can run in parallel and leave nothing behind.
func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("StoreTests-\(UUID().uuidString)", isDirectory: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

/// Opens a fresh database file in a temporary directory.
func withTemporaryDatabase<T>(busyTimeout: Duration = .milliseconds(5000),
                              _ body: (Database, String) throws -> T) throws -> T {
    try withTemporaryDirectory { directory in
        let path = directory.appendingPathComponent("test.db").path
        let db = try Database(path: path, busyTimeout: busyTimeout)
        defer { db.close() }
        return try body(db, path)
    }
}

/// Everything that defines the schema, in a stable order, for before/after comparisons.
func schemaSnapshot(_ db: Database) throws -> [Row] {
    try db.query("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")
}

struct ExpectedFailure: Error, Equatable {}

/// SQLite result codes used by the tests (the test target does not import the C module).
enum Code {
    static let error: Int32 = 1
    static let busy: Int32 = 5
    static let locked: Int32 = 6
    static let readonly: Int32 = 8
    static let ioerr: Int32 = 10
    static let full: Int32 = 13
    static let cantopen: Int32 = 14
    static let constraint: Int32 = 19
    static let mismatch: Int32 = 20
    static let misuse: Int32 = 21
    static let range: Int32 = 25
    static let constraintUnique: Int32 = 2067
    static let constraintForeignKey: Int32 = 787
}
