import Broker
import Store
import TrustWorkers
import WorkerKit

enum SetupCommands {
    static let group = CommandGroup(
        usage: "  setup                 declare the broker topology and migrate the database (idempotent)",
        commands: ["setup": setup])

    static func setup(_ args: Arguments, _ settings: Settings) throws {
        try args.allowOnly([])
        let c = try Connection.first(of: settings.brokers, name: "trustctl setup")
        defer { c.close() }
        try settings.topology.declare(on: c)
        let db = try Database(path: settings.databasePath)
        defer { db.close() }
        try db.migrate(WorkerRuntime.migrations + TrustSchema.all)
        print("broker topology declared on \(settings.brokers[0]): \(settings.topology.allQueueNames.count) queues")
        print("database \(settings.databasePath) at schema version \(try db.appliedMigrations().last ?? 0)")
    }
}
