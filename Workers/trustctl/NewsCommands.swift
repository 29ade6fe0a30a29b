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
              news issues [--json]  issues with items, recipients, sent, failed, pending
            """,
        commands: ["news": news])

    static func news(_ args: Arguments, _ settings: Settings) throws {
        switch args.positionals.dropFirst().first {
        case "add": try add(args, settings)
        case "assemble": try assemble(args, settings)
        case "issues": try issues(args, settings)
        case let other:
            throw InputError("news needs add, assemble or issues\(other.map { " (not \"\($0)\")" } ?? "")")
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
            summaries = try NewsletterIssueSummary.all(in: db)
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
        let rows = [["issue", "date", "items", "recipients", "sent", "failed", "pending", "archive"]]
            + summaries.map { s in
                [String(s.number), s.issueDate, String(s.items), String(s.recipients), String(s.sent), String(s.failed),
                 String(s.pending), s.archive]
            }
        let widths = (0..<7).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            let padded = zip(row.prefix(7), widths).enumerated().map { index, pair in
                let (cell, width) = pair
                let pad = String(repeating: " ", count: width - cell.count)
                return index == 1 ? cell + pad : pad + cell
            }
            print((padded + [row[7]]).joined(separator: "  "))
        }
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
