import Store
import Testing

@Suite struct MigrationTests {
    static let createAcademy = Migration(version: 1, name: "create_academy", sql: """
        CREATE TABLE academy(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
        CREATE INDEX academy_name ON academy(name);
        """)
    static let createPupil = Migration(version: 2, name: "create_pupil", sql: """
        CREATE TABLE pupil(id INTEGER PRIMARY KEY, academy INTEGER NOT NULL REFERENCES academy(id));
        """)
    /// A good CREATE TABLE followed by bad SQL in the same migration.
    static let broken = Migration(version: 2, name: "half_broken", sql: """
        CREATE TABLE survey(id INTEGER PRIMARY KEY);
        INSERT INTO academy(id, name) VALUES (1, 'Oak');
        CREATE TABLE oops(id INTEGER PRIMARY KEY,;
        """)

    @Test func failedMigrationLeavesTheDatabaseUnchanged() throws {
        try withTemporaryDatabase { db, _ in
            // One run of two: the first applies, the second fails part-way through.
            let error = #expect(throws: MigrationError.self) {
                try db.migrate([Self.createAcademy, Self.broken])
            }
            guard case .failed(let version, let name, let underlying) = error else {
                Issue.record("expected .failed, got \(String(describing: error))")
                return
            }
            #expect(version == 2 && name == "half_broken")
            #expect(underlying.message.contains("syntax error"))
            let text = String(describing: error!)
            #expect(text.contains("migration 2 'half_broken'") && text.contains("syntax error"))

            // Exactly the state migration 1 alone produces.
            let reference = try Database(path: ":memory:")
            try reference.migrate([Self.createAcademy])
            #expect(try schemaSnapshot(db) == schemaSnapshot(reference))
            #expect(try db.appliedMigrations() == [1])
            #expect(try db.scalar("SELECT count(*) FROM academy") == .integer(0))

            // Trying again changes nothing either: not the schema, not the record.
            let schemaBefore = try schemaSnapshot(db)
            let recordBefore = try db.query("SELECT * FROM schema_migrations")
            #expect(throws: MigrationError.self) { try db.migrate([Self.createAcademy, Self.broken]) }
            #expect(try schemaSnapshot(db) == schemaBefore)
            #expect(try db.query("SELECT * FROM schema_migrations") == recordBefore)

            // The fixed migration then applies normally.
            try db.migrate([Self.createAcademy, Self.createPupil])
            #expect(try db.appliedMigrations() == [1, 2])
        }
    }

    @Test func migrationsAreIdempotent() throws {
        try withTemporaryDatabase { db, _ in
            #expect(try db.appliedMigrations() == [])
            try db.migrate([Self.createAcademy, Self.createPupil])
            let schema = try schemaSnapshot(db)
            let record = try db.query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version")
            try db.migrate([Self.createAcademy, Self.createPupil])
            try db.migrate([Self.createAcademy, Self.createPupil])
            #expect(try schemaSnapshot(db) == schema)
            #expect(try db.query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version") == record)
            #expect(record.map { $0.string("name") } == ["create_academy", "create_pupil"])
            // UTC, ISO 8601, e.g. 2024-03-01T09:15:02.123Z
            #expect(record.allSatisfy { ($0.string("applied_at") ?? "").wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil })
        }
    }

    @Test func pendingMigrationsApplyOnALaterRun() throws {
        let db = try Database(path: ":memory:")
        try db.migrate([Self.createAcademy])
        try db.migrate([Self.createAcademy, Self.createPupil])
        #expect(try db.appliedMigrations() == [1, 2])
        #expect(try db.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'pupil'") == .integer(1))
    }

    @Test func databaseNewerThanTheCodeIsRefused() throws {
        let db = try Database(path: ":memory:")
        try db.migrate([Self.createAcademy, Self.createPupil])
        let schema = try schemaSnapshot(db)
        let error = #expect(throws: MigrationError.self) {
            try db.migrate([Self.createAcademy])
        }
        guard case .unknownAppliedVersions(let versions) = error else {
            Issue.record("expected .unknownAppliedVersions, got \(String(describing: error))")
            return
        }
        #expect(versions == [2])
        #expect(String(describing: error!).contains("newer version of the code"))
        #expect(try schemaSnapshot(db) == schema)
    }

    @Test(arguments: [[2, 1], [1, 1], [1, 3, 2]])
    func unorderedOrDuplicateVersionsAreRefusedBeforeTouchingTheDatabase(_ versions: [Int]) throws {
        let db = try Database(path: ":memory:")
        let migrations = versions.map { Migration(version: $0, name: "m\($0)", sql: "CREATE TABLE t\($0)(x)") }
        let error = #expect(throws: MigrationError.self) { try db.migrate(migrations) }
        guard case .versionsNotIncreasing = error else {
            Issue.record("expected .versionsNotIncreasing, got \(String(describing: error))")
            return
        }
        #expect(try db.scalar("SELECT count(*) FROM sqlite_master") == .integer(0))
    }

    @Test func migrationThatCommitsByItselfIsReported() throws {
        let db = try Database(path: ":memory:")
        let sneaky = Migration(version: 1, name: "sneaky", sql: "CREATE TABLE a(x); COMMIT;")
        let error = #expect(throws: MigrationError.self) { try db.migrate([sneaky]) }
        #expect(String(describing: error!).contains("ended the transaction"))
        #expect(try db.appliedMigrations() == [])
    }
}
