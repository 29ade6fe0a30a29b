// trustctl: the operator's and data manager's command line. Exit codes: 0 ok, 1 usage or
// input error (message on stderr), 2 system error (broker, database, disk).
//
// Each area of the system contributes a `CommandGroup` in its own file; this file only
// dispatches, so areas never edit each other's commands.
import Foundation
import TrustDomain
import TrustWorkers
import WorkerKit

let groups: [CommandGroup] = [SetupCommands.group, DropCommands.group, ReminderCommands.group, SurveyCommands.group, NewsCommands.group, DemoCommands.group, OpsCommands.group, RetentionCommands.group]

let usage = """
    usage: trustctl COMMAND [options]

    \(groups.map(\.usage).joined(separator: "\n"))
      help                  this text

    Settings come from the environment: TRUST_AMQP_URL, TRUST_DB, TRUST_CONFIG, TRUST_NOW.
    Exit codes: 0 ok, 1 usage or input error, 2 system error.
    """

func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("trustctl: \(message)\n".utf8))
    exit(code)
}

let raw = Array(CommandLine.arguments.dropFirst())
do {
    let args = try Arguments(raw, flagNames: ["json", "yes", "help", "all", "html", "full", "csv"])
    let command = args.positionals.first ?? "help"
    if command == "help" || (args.flag("help") && args.positionals.count <= 1) {
        print(usage)
        exit(0)
    }
    guard let run = groups.lazy.compactMap({ $0.commands[command] }).first else {
        throw InputError("unknown command \"\(command)\"; see trustctl help")
    }
    try run(args, try Settings.fromEnvironment(identity: .operator))
} catch let e as InputError {
    fail(e.description, code: 1)
} catch {
    fail("\(error)", code: 2)
}
