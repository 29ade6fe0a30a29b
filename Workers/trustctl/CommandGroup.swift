import Foundation
import WorkerKit

/// The commands one area adds to trustctl: their usage lines and what runs for each verb.
struct CommandGroup: Sendable {
    var usage: String
    var commands: [String: @Sendable (Arguments, Settings) throws -> Void]

    /// Parses the command line, runs the command it names from `groups` (or prints the usage),
    /// and exits: 0 ok, 1 a person's mistake (message on stderr), 2 a system failure.
    static func main(_ groups: [CommandGroup]) -> Never {
        let usage = """
            usage: trustctl COMMAND [options]

            \(groups.map(\.usage).joined(separator: "\n"))
              help                  this text

            Settings come from the environment (README: Settings), e.g. TRUST_AMQP_URL, TRUST_DB, TRUST_CONFIG, TRUST_NOW.
            Exit codes: 0 ok, 1 usage or input error, 2 system error.
            """
        func fail(_ message: String, code: Int32) -> Never {
            FileHandle.standardError.write(Data("trustctl: \(message)\n".utf8))
            exit(code)
        }
        do {
            let args = try Arguments(Array(CommandLine.arguments.dropFirst()),
                                     flagNames: ["json", "yes", "help", "all", "html", "full", "csv", "send-anyway"])
            let command = args.positionals.first ?? "help"
            if command == "help" || (args.flag("help") && args.positionals.count <= 1) {
                print(usage)
                exit(0)
            }
            guard let run = groups.lazy.compactMap({ $0.commands[command] }).first else {
                throw InputError("unknown command \"\(command)\"; see trustctl help")
            }
            try run(args, try Settings.fromEnvironment(identity: .operator))
            exit(0)
        } catch let e as InputError {
            fail(e.description, code: 1)
        } catch {
            fail("\(error)", code: 2)
        }
    }
}
