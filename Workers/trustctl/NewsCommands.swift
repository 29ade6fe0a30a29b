import Broker
import Foundation
import Store
import TrustDomain
import TrustFixtures
import TrustWorkers
import WorkerKit

/// `news add | assemble | issues` and `demo directory`. Items are checked here with the same
/// rules the worker applies, so a mistake is reported at once (exit 1) instead of ending up on
/// a dead-letter queue. TRUST_TOPOLOGY_PREFIX (tests and benchmarks only) publishes to an
/// isolated copy of the topology, as the newsletter worker does.
enum NewsCommands {
    static let group = CommandGroup(
        usage: """
              news add --title T --body-file F [--category C] [--academy A] [--author NAME]
                       [--author-email ADDRESS] [--event-date YYYY-MM-DD]
                                    queue an item for the next FAcT issue (F may be - for stdin); the
                                    author is told which issue; an item whose date has passed by then
                                    is printed under "Since the last issue"
              news assemble [--date YYYY-MM-DD]
                                    assemble an issue now (default: the latest scheduled date)
              news issues [--json]  issues with state, items, recipients, sent, failed, pending,
                                    cancelled and the estimated finish at the relay's pace
              news approve|pause|resume|cancel N
                                    the editor's controls over issue N; the sender honours them
                                    from its next message, and never sends anyone twice
              news preview [--to ADDRESS[,ADDRESS…]] [ADDRESS…]
                                    send the next issue as it stands now to the preview list
                                    (newsletter.json editor.preview_to) or to --to addresses
            """,
        commands: ["news": news])

    static func news(_ args: Arguments, _ settings: Settings) throws {
        switch args.positionals.dropFirst().first {
        case "add": try add(args, settings)
        case "assemble": try assemble(args, settings)
        case "issues": try issues(args, settings)
        case "preview": try preview(args, settings)
        case let verb? where NewsletterControls.Action(rawValue: verb) != nil:
            try control(NewsletterControls.Action(rawValue: verb)!, args, settings)
        case let other:
            throw InputError("news needs add, assemble, issues, preview, approve, pause, resume or cancel"
                + "\(other.map { " (not \"\($0)\")" } ?? "")")
        }
    }

    static func demoDirectory(_ args: Arguments, _ settings: Settings) throws {
        try args.allowOnly(["out", "seed"])
        let out = try args.required("out")
        let seedText = args.option("seed") ?? String(DirectoryGenerator.defaultSeed)
        guard let seed = UInt64(seedText) else { throw InputError("--seed \"\(seedText)\" is not a whole number from 0") }
        let catalog = try AcademyCatalog.load(
            contentsOf: URL(fileURLWithPath: settings.configDirectory).appendingPathComponent(AcademyCatalog.fileName))
        let people = DirectoryGenerator(academies: catalog.academies, seed: seed).people()
        do {
            try Data(DirectoryGenerator.csv(people).utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
        } catch {
            throw InputError("cannot write \(out): \(error.localizedDescription)")
        }
        print("wrote \(people.count) people (\(people.filter(\.active).count) active) to \(out)")
    }

    private static func add(_ args: Arguments, _ settings: Settings) throws {
        try args.allowOnly(["title", "body-file", "category", "academy", "author", "author-email", "event-date"])
        let setup = try NewsletterSetup(settings: settings)
        let file = try args.required("body-file")
        if file != "-" && !FileManager.default.fileExists(atPath: file) {
            throw InputError("--body-file \(file) does not exist")
        }
        let body: String
        do {
            let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
            guard let text = String(data: data, encoding: .utf8) else { throw InputError("\(file) is not UTF-8 text") }
            body = text
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError("cannot read --body-file \(file): \(error.localizedDescription)")
        }
        let item: NewsletterItem
        do {
            item = try NewsletterItem(title: try args.required("title"), body: body,
                                      category: args.option("category") ?? "trust-news", academy: args.option("academy"),
                                      author: args.option("author") ?? "Central Team", eventDate: args.option("event-date"),
                                      authorEmail: args.option("author-email"), rules: setup.itemRules)
        } catch let error as NewsletterItemError {
            throw InputError(error.description)
        }
        let message = NewsletterIntake.item(item, topology: settings.topology)
        try publish(message, settings)
        print("queued \"\(item.title)\" (\(item.category)) as \(message.properties.messageID ?? "")")
    }

    private static func assemble(_ args: Arguments, _ settings: Settings) throws {
        try args.allowOnly(["date"])
        let setup = try NewsletterSetup(settings: settings)
        let date: CalendarDate
        if let text = args.option("date") {
            guard let parsed = CalendarDate(text) else {
                throw InputError("--date \"\(text)\" is not a real calendar date (expected YYYY-MM-DD)")
            }
            date = parsed
        } else {
            guard let due = setup.schedule.dueIssue(now: settings.clock(), lastPublished: nil) else {
                throw InputError("no issue is scheduled yet (the first is \(setup.newsletter.anchor)); give --date")
            }
            date = due
        }
        try publish(NewsletterIntake.assemble(date, topology: settings.topology), settings)
        print("asked for the issue of \(date); `trustctl news issues` shows its deliveries")
    }

    private static func issues(_ args: Arguments, _ settings: Settings) throws {
        try args.allowOnly(["json"])
        var summaries: [NewsletterIssueSummary] = []
        if FileManager.default.fileExists(atPath: settings.databasePath) {
            let db = try Database(path: settings.databasePath, readOnly: true)
            defer { db.close() }
            let setup = try NewsletterSetup(settings: settings)
            summaries = try NewsletterProgress.withEstimates(
                try NewsletterIssueSummary.all(in: db), sender: setup.newsletter.sender.address,
                limits: try RelaySetup(settings: settings, outboxDirectory: setup.outboxDirectory).limits,
                in: db, now: settings.clock())
        }
        if args.flag("json") {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(summaries), as: UTF8.self))
            return
        }
        guard !summaries.isEmpty else {
            print("no issues yet")
            return
        }
        let header = ["issue", "date", "state", "items", "recipients", "sent", "failed", "pending", "cancelled", "progress",
                      "finish (est.)", "archive"]
        let rows: [[String]] = [header] + summaries.map(row)
        let columns = rows[0].count - 1
        let widths = (0..<columns).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            let padded = zip(row.prefix(columns), widths).enumerated().map { index, pair in
                let (cell, width) = pair
                let pad = String(repeating: " ", count: width - cell.count)
                return [1, 2, 10].contains(index) ? cell + pad : pad + cell
            }
            print((padded + [row[columns]]).joined(separator: "  "))
        }
    }

    /// One issue's line: the counts, how far it has got, and when it should finish.
    private static func row(_ s: NewsletterIssueSummary) -> [String] {
        let done = s.sent + s.failed + s.cancelled
        let progress = s.recipients == 0 ? "-" : "\(100 * done / s.recipients)%"
        let finish = s.estimatedFinish.map { String($0.prefix(16)).replacingOccurrences(of: "T", with: " ") } ?? "-"
        let counts = [s.items, s.recipients, s.sent, s.failed, s.pending, s.cancelled].map(String.init)
        return [String(s.number), s.issueDate, s.state.replacingOccurrences(of: "_", with: " ")] + counts
            + [progress, finish, s.archive]
    }

    /// `news approve|pause|resume|cancel N`: written straight to the store the sender reads.
    private static func control(_ action: NewsletterControls.Action, _ args: Arguments, _ settings: Settings) throws {
        try args.allowOnly([])
        let text = args.positionals.dropFirst(2).first ?? ""
        guard let number = Int(text), number >= 1 else {
            throw InputError("news \(action.rawValue) needs an issue number (see trustctl news issues)"
                + (text.isEmpty ? "" : ", not \"\(text)\""))
        }
        guard FileManager.default.fileExists(atPath: settings.databasePath) else {
            throw InputError("there is no issue \(number) (no database at \(settings.databasePath))")
        }
        let db = try Database(path: settings.databasePath)
        defer { db.close() }
        print(try NewsletterControls.apply(action, issue: number, in: db, at: settings.clock()))
    }

    /// `news preview [--to ADDRESS…]`: the newsletter worker renders the next issue as it
    /// stands and its delivery engine sends it to the preview list.
    private static func preview(_ args: Arguments, _ settings: Settings) throws {
        try args.allowOnly(["to"])
        let setup = try NewsletterSetup(settings: settings)
        let given = (args.option("to").map { $0.split(separator: ",").map(String.init) } ?? [])
            + args.positionals.dropFirst(2)
        let to = given.isEmpty ? setup.editor.previewTo : given
        guard !to.isEmpty else {
            throw InputError("news preview needs --to ADDRESS or a preview list (newsletter.json editor.preview_to)")
        }
        for address in to where !MailAddress.isValid(address) {
            throw InputError("--to \"\(address)\" is not a plain e-mail address (name@domain)")
        }
        let message = NewsletterIntake.preview(to: to, topology: settings.topology)
        try publish(message, settings)
        print("asked for a preview of the next issue to \(to.joined(separator: ", "))")
    }

    private static func publish(_ message: OutgoingMessage, _ settings: Settings) throws {
        let connection = try Connection(endpoint: settings.brokers[0], name: "trustctl news")
        defer { connection.close() }
        do {
            try connection.publishConfirmed([message])
        } catch {
            throw SystemFailure("the broker did not accept the message (\(error)); has `trustctl setup` been run?")
        }
    }

    /// A failure of the system rather than of the input: exit code 2.
    private struct SystemFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
