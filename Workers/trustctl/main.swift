// trustctl: the operator's and data manager's command line. Exit codes: 0 ok, 1 usage or
// input error (message on stderr), 2 system error (broker, database, disk).
import Broker
import Foundation
import Store
import TrustDomain
import WorkerKit

let usage = """
    usage: trustctl COMMAND [options]

      setup                 declare the broker topology (idempotent) and migrate the database
      help                  this text

    Settings come from the environment: TRUST_AMQP_URL, TRUST_DB, TRUST_CONFIG, TRUST_NOW.
    """

func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("trustctl: \(message)\n".utf8))
    exit(code)
}

let raw = Array(CommandLine.arguments.dropFirst())
do {
    let args = try Arguments(raw, flagNames: ["json", "yes", "help", "all"])
    let command = args.positionals.first ?? "help"
    if command == "help" || args.flag("help") {
        print(usage)
        exit(0)
    }
    let settings = try Settings.fromEnvironment()
    switch command {
    case "setup":
        try args.allowOnly([])
        let c = try Connection(endpoint: settings.brokers[0], name: "trustctl setup")
        try Topology.trust.declare(on: c)
        c.close()
        print("broker topology declared on \(settings.brokers[0]): \(Topology.trust.allQueueNames.count) queues")
    default:
        throw UsageError("unknown command \"\(command)\"; see trustctl help")
    }
} catch let e as UsageError {
    fail(e.description, code: 1)
} catch let e as SettingsError {
    fail(e.description, code: 1)
} catch {
    fail("\(error)", code: 2)
}
