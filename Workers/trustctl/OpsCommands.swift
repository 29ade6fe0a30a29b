import Broker
import Store
import Foundation
import TrustWorkers
import WorkerKit

enum OpsCommands {
    static let group = CommandGroup(
        usage: """
              status [--json]       queues (ready, unacked, consumers, retrying, dead) and workers
              dead list [QUEUE] [--json]
                                    dead-lettered messages: id, type, academy, attempts, reason
              dead replay QUEUE (--id ID | --all)
                                    republish to the work queue, confirmed, then remove
              dead purge QUEUE --yes
                                    delete a queue's dead letters
            """,
        commands: ["status": status, "dead": dead])

    static func status(_ args: Arguments, _ settings: Settings) throws {
        try args.allowOnly(["json"])
        let s = try SystemStatus.load(settings: settings, topology: settings.topology)
        print(args.flag("json") ? try JSONEvent.string(s) : s.table())
    }

    static func dead(_ args: Arguments, _ settings: Settings) throws {
        let verb = args.positionals.dropFirst().first
        let c = try Connection.first(of: settings.brokers, name: "trustctl dead")
        defer { c.close() }
        let dlq = DeadLetterQueues(connection: c, topology: settings.topology)
        let queueArg = args.positionals.count > 2 ? args.positionals[2] : nil
        switch verb {
        case "list":
            try args.allowOnly(["json"])
            let queues = try queueArg.map { [try dlq.workQueue(named: $0)] } ?? settings.topology.queues.map(\.name)
            let items = try dlq.list(queues)
            if args.flag("json") {
                print(try JSONEvent.string(items))
            } else if items.isEmpty {
                print("no dead-lettered messages")
            } else {
                for d in items {
                    print("\(d.queue)  \(d.messageID ?? "(no id)")  type=\(d.type ?? "-") academy=\(d.academy ?? "-") attempts=\(d.attempts.map(String.init) ?? "-") failed_at=\(d.failedAt ?? "-")")
                    print("    \(d.reason)")
                }
            }
        case "replay":
            try args.allowOnly(["id", "all"])
            guard let queueArg else { throw InputError("usage: trustctl dead replay QUEUE (--id ID | --all)") }
            let queue = try dlq.workQueue(named: queueArg)
            guard args.flag("all") != (args.option("id") != nil) else { throw InputError("give exactly one of --id ID or --all") }
            let ids = try dlq.replay(queue, ids: args.option("id").map { [$0] })
            if let wanted = args.option("id"), ids.isEmpty { throw InputError("no dead letter with id \(wanted) in \(queue).dead") }
            print("replayed \(ids.count) message(s) to \(queue)")
            for id in ids { print("  \(id)") }
        case "purge":
            try args.allowOnly(["yes"])
            guard let queueArg else { throw InputError("usage: trustctl dead purge QUEUE --yes") }
            let queue = try dlq.workQueue(named: queueArg)
            guard args.flag("yes") else { throw InputError("purging deletes messages for good; add --yes to confirm") }
            print("purged \(try dlq.purge(queue)) message(s) from \(queue).dead")
        default:
            throw InputError("usage: trustctl dead list|replay|purge …")
        }
    }
}

enum RetentionCommands {
    static let group = CommandGroup(
        usage: """
              purge --before YYYY-MM-DD [--yes]
                                    delete pupil rows, responses and delivery records older than DATE
            """,
        commands: ["purge": purge])

    static func purge(_ args: Arguments, _ settings: Settings) throws {
        try args.allowOnly(["before", "yes"])
        let text = try args.required("before")
        guard let date = Settings.parseInstant(text) else { throw InputError("--before \"\(text)\" is not a date like 2022-09-01") }
        guard args.flag("yes") else { throw InputError("purging deletes data for good; add --yes to confirm") }
        let db = try Database(path: settings.databasePath)
        defer { db.close() }
        for (table, rows) in try Retention.purge(db, before: Timestamp.string(date)) {
            print("\(table): \(rows) row(s) deleted")
        }
    }
}
