import Broker
import Foundation
import Store
import TrustDomain
import TrustWorkers
import WorkerKit

enum DropCommands {
    static let group = CommandGroup(
        usage: """
              drop check FILE… [--drop D] [--sheet NAME]
                                    check data-drop files (CSV or .xlsx) with the worker's own rules and messages
              drop submit --drop D [--sheet NAME] (--academy ID FILE | ACADEMY.csv|.xlsx…) [--as ACADEMY] [--send-anyway]
                                    check, then queue data-drop files; --as sends with the academy's own account
              drop status [--drop D] [--json | --csv]
                                    deadline, who has data in use, attempts, refused files' errors
              drop template --academy ID [--drop D] [--out FILE]
                                    a ready-to-fill file: the header and an example row per year group
              report board --drop D [--out FILE] [--json]
                                    write the Board RAG report for a drop
            """,
        commands: ["drop": drop, "report": report])

    static func drop(_ args: Arguments, _ settings: Settings) throws {
        switch args.positionals.dropFirst().first {
        case "check": try check(args, settings)
        case "submit": try submit(args, settings)
        case "status": try status(args, settings)
        case "template": try template(args, settings)
        default: throw InputError("usage: trustctl drop check|submit|status|template …")
        }
    }

    /// `--drop` checked against `Config/drops.json`; without it, the drop open today (or the
    /// next to open).
    static func scheduledDrop(_ args: Arguments, _ config: TrustConfig, _ settings: Settings) throws -> ScheduledDrop {
        if let text = args.option("drop") {
            do {
                return try config.drops.resolve(text)
            } catch {
                throw InputError("--drop: \(error.description)")
            }
        }
        let today = CalendarDate(settings.clock(), in: config.drops.timeZone)
        guard let drop = config.drops.current(on: today) else { throw InputError("\(DropCalendar.fileName) lists no drops") }
        return drop
    }

    /// Exit 0 with a summary per file when every file is valid; otherwise every error of every
    /// file on stderr and exit 1.
    static func check(_ args: Arguments, _ settings: Settings) throws {
        try args.allowOnly(["drop", "sheet"])
        let config = try TrustConfig(directory: settings.configDirectory)
        let drop = try scheduledDrop(args, config, settings)
        let files = Array(args.positionals.dropFirst(2))
        guard !files.isEmpty else { throw InputError("drop check needs a FILE") }
        let failures = try checked(files, drop: drop, sheet: args.option("sheet"))
        if !failures.isEmpty { throw InputError(failures.joined(separator: "\n")) }
    }

    /// Checks each file; prints a summary line for valid ones and returns the report of the rest.
    private static func checked(_ files: [String], drop: ScheduledDrop, sheet: String?) throws -> [String] {
        var failures: [String] = []
        for file in files {
            switch DropFileCheck.check(try read(file), term: drop.id.term, sheet: sheet) {
            case .success(let contents):
                print("\(file): valid for \(drop.id): \(DropFileCheck.summary(contents))")
            case .failure(let rejection):
                let count = rejection.totalCount
                failures.append("\(file): refused for \(drop.id), \(count) \(count == 1 ? "problem" : "problems"):\n"
                    + rejection.description.split(separator: "\n").map { "  \($0)" }.joined(separator: "\n"))
            }
        }
        return failures
    }

    private static func read(_ file: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: file) else { throw InputError("cannot read \(file)") }
        return Array(data)
    }

    /// One file with `--academy`, or many files named `<academy>.csv` (a whole drop at once).
    /// Every file is checked first and nothing is queued unless all pass, except with
    /// `--send-anyway` (the worker then refuses the file and mails its data lead the errors).
    static func submit(_ args: Arguments, _ settings: Settings) throws {
        try args.allowOnly(["academy", "drop", "as", "send-anyway", "sheet"])
        let config = try TrustConfig(directory: settings.configDirectory)
        guard args.option("drop") != nil else { throw InputError("missing --drop (known drops are in \(DropCalendar.fileName))") }
        let drop = try scheduledDrop(args, config, settings)
        let files = Array(args.positionals.dropFirst(2))
        guard !files.isEmpty else { throw InputError("drop submit needs a FILE") }
        let academy = args.option("academy") ?? args.option("as")
        if academy != nil && files.count > 1 { throw InputError("--academy goes with exactly one FILE") }
        let failures = try checked(files, drop: drop, sheet: args.option("sheet"))
        if !failures.isEmpty && !args.flag("send-anyway") {
            throw InputError(failures.joined(separator: "\n") + "\nnothing was queued; correct the files (or add --send-anyway to let the worker refuse them)")
        }
        let messages = try files.map { file -> OutgoingMessage in
            let id = academy ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
            guard config.academyIDs.contains(AcademyID(id)) else {
                throw InputError("\(file): \"\(id)\" is not an academy id from \(AcademyCatalog.fileName); name the file ACADEMY.csv or give --academy")
            }
            let body = try read(file)
            let labelled = DropFileSubmission(body, sheet: args.option("sheet"))
            // Content-derived id: sending the same file twice is harmless.
            return IntakePublisher.message(
                routingKey: "datadrop.\(id)", type: "datadrop.submitted", contentType: labelled.contentType,
                messageID: "datadrop:\(id):\(drop.id):\(Digest.sha256Hex(body).prefix(32))\(labelled.idSuffix)", body: body,
                headers: labelled.headers(drop: drop.id), topology: settings.topology)
        }
        var sender = settings
        if let own = args.option("as") {
            guard let url = settings.academyBrokerURL(own) else {
                throw InputError("--as \(own): no broker account file var/secrets/amqp-\(own).url (scripts/broker start writes one per academy)")
            }
            sender.brokers = try BrokerEndpoint.list(url)
        }
        // An academy's account may publish its own routing key and nothing else: no declaring.
        let asAcademy = sender.brokers.first.map { config.academyIDs.contains(AcademyID($0.user)) } ?? false
        try IntakePublisher.publish(messages, settings: sender, declare: !asAcademy)
        let by = sender.brokers.first?.user ?? "?"
        for m in messages {
            print("queued \(m.routingKey) \(drop.id) as \(m.properties.messageID ?? "") (\(m.properties.contentType ?? ""), sent by \(by))")
        }
    }

    static func status(_ args: Arguments, _ settings: Settings) throws {
        try args.allowOnly(["drop", "json", "csv"])
        let config = try TrustConfig(directory: settings.configDirectory)
        let today = CalendarDate(settings.clock(), in: config.drops.timeZone)
        // No database yet means no worker has received anything: an empty status, not an error.
        let db = FileManager.default.fileExists(atPath: settings.databasePath)
            ? try Database(path: settings.databasePath, readOnly: true) : nil
        defer { db?.close() }
        let drop: ScheduledDrop
        if args.option("drop") != nil {
            drop = try scheduledDrop(args, config, settings)
        } else if let latest = try db.flatMap({ try DropStates.drops(in: $0).last }).flatMap(config.drops.drop) {
            drop = latest
        } else {
            drop = try scheduledDrop(args, config, settings)
        }
        let rows = try DropStatus.load(db: db, drop: drop, academies: config.academies, today: today)
        if args.flag("json") {
            print(try JSONEvent.string(rows))
        } else if args.flag("csv") {
            print(DropStatus.csv(rows), terminator: "")
        } else {
            print(DropStatus.table(rows, drop: drop, today: today))
        }
    }

    static func template(_ args: Arguments, _ settings: Settings) throws {
        try args.allowOnly(["academy", "drop", "out"])
        let config = try TrustConfig(directory: settings.configDirectory)
        let academy = try args.required("academy")
        guard config.academyIDs.contains(AcademyID(academy)) else {
            throw InputError("--academy \"\(academy)\" is not an academy id from \(AcademyCatalog.fileName)")
        }
        let drop = try scheduledDrop(args, config, settings)
        let text = DropTemplate.csv(term: drop.id.term)
        if let out = args.option("out") {
            try Data(text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
            print("wrote the \(drop.id) template for \(academy) to \(out): replace the example rows with one row per pupil")
        } else {
            print(text, terminator: "")
        }
    }

    static func report(_ args: Arguments, _ settings: Settings) throws {
        guard args.positionals.dropFirst().first == "board" else { throw InputError("usage: trustctl report board --drop D") }
        try args.allowOnly(["drop", "out", "json"])
        let config = try TrustConfig(directory: settings.configDirectory)
        guard args.option("drop") != nil else { throw InputError("missing --drop") }
        let drop = try scheduledDrop(args, config, settings)
        let db = try Database(path: settings.databasePath)
        defer { db.close() }
        let result = try BoardReports(config: config, outputDirectory: URL(fileURLWithPath: settings.varDirectory)
            .appendingPathComponent("reports")).generate(drop.id, db: db, now: settings.clock(),
                                                         out: args.option("out").map { URL(fileURLWithPath: $0) })
        if args.flag("json") { print(result.json) } else { print("board report for \(drop.id): \(result.htmlPath)") }
    }
}

/// How `drop submit` labels a file: the format it reads as (the worker decides again from the
/// bytes; this is only the label) and the sheet, which is part of the id since another sheet
/// of one workbook is another file.
struct DropFileSubmission {
    let contentType: String
    let sheet: String?

    init(_ body: [UInt8], sheet: String?) {
        self.sheet = sheet
        // An unreadable file is still sent: the worker records the rejection and its reasons.
        contentType = (try? TableReader(body, limits: DataDropFile.defaultLimits, sheet: sheet))?.format.contentType
            ?? "text/csv"
    }

    var idSuffix: String { sheet.map { ":sheet:\($0)" } ?? "" }

    func headers(drop: DropID) -> [String: FieldValue] {
        var headers: [String: FieldValue] = ["x-drop": .string(drop.description)]
        if let sheet { headers[DropFileHeaders.sheet] = .string(sheet) }
        return headers
    }
}
