import Broker
import Foundation
import Store
import TrustDomain
import TrustWorkers
import WorkerKit

enum DropCommands {
    static let group = CommandGroup(
        usage: """
              drop submit --drop YYYY-YY/term [--sheet NAME] (--academy ID FILE | ACADEMY.csv|.xlsx…)
                                    queue data-drop files, CSV or .xlsx (one academy, or files
                                    named by academy)
              drop status [--drop D] [--json | --csv]
                                    who has submitted, when, pupils, errors
              report board --drop D [--out FILE] [--json]
                                    write the Board RAG report for a drop
            """,
        commands: ["drop": drop, "report": report])

    static func drop(_ args: Arguments, _ settings: Settings) throws {
        switch args.positionals.dropFirst().first {
        case "submit": try submit(args, settings)
        case "status": try status(args, settings)
        default: throw InputError("usage: trustctl drop submit|status …")
        }
    }

    /// One file with `--academy`, or many files named `<academy>.csv` (a whole drop at once).
    static func submit(_ args: Arguments, _ settings: Settings) throws {
        try args.allowOnly(["academy", "drop", "sheet"])
        let dropText = try args.required("drop")
        guard let drop = DropID(dropText) else {
            throw InputError("--drop \"\(dropText)\" is not a drop like 2026-27/autumn")
        }
        let files = Array(args.positionals.dropFirst(2))
        guard !files.isEmpty else { throw InputError("drop submit needs a FILE") }
        let academy = args.option("academy")
        if academy != nil && files.count > 1 { throw InputError("--academy goes with exactly one FILE") }
        let messages = try files.map { file -> OutgoingMessage in
            guard let data = FileManager.default.contents(atPath: file) else { throw InputError("cannot read \(file)") }
            let id = academy ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
            let body = Array(data)
            let file = DropFileSubmission(body, sheet: args.option("sheet"))
            // Content-derived id: sending the same file twice is harmless.
            return IntakePublisher.message(
                routingKey: "datadrop.\(id)", type: "datadrop.submitted", contentType: file.contentType,
                messageID: "datadrop:\(id):\(drop):\(Digest.sha256Hex(body).prefix(32))\(file.idSuffix)", body: body,
                headers: file.headers(drop: drop), topology: settings.topology)
        }
        try IntakePublisher.publish(messages, settings: settings)
        for m in messages {
            print("queued \(m.routingKey) \(drop) as \(m.properties.messageID ?? "") (\(m.properties.contentType ?? ""))")
        }
    }

    static func status(_ args: Arguments, _ settings: Settings) throws {
        try args.allowOnly(["drop", "json", "csv"])
        let config = try TrustConfig(directory: settings.configDirectory)
        let dropFilter = args.option("drop")
        if let d = dropFilter, DropID(d) == nil { throw InputError("--drop \"\(d)\" is not a drop like 2026-27/autumn") }
        var rows: [DropStatus] = []
        // No database yet means no worker has received anything: an empty status, not an error.
        if FileManager.default.fileExists(atPath: settings.databasePath) {
            let db = try Database(path: settings.databasePath, readOnly: true)
            defer { db.close() }
            rows = try DropStatus.load(db: db, drop: dropFilter.flatMap(DropID.init), academies: config.academies)
        }
        if args.flag("json") {
            print(try JSONEvent.string(rows))
        } else if args.flag("csv") {
            print(DropStatus.csv(rows), terminator: "")
        } else {
            print(DropStatus.table(rows))
        }
    }

    static func report(_ args: Arguments, _ settings: Settings) throws {
        guard args.positionals.dropFirst().first == "board" else { throw InputError("usage: trustctl report board --drop D") }
        try args.allowOnly(["drop", "out", "json"])
        let dropText = try args.required("drop")
        guard let drop = DropID(dropText) else { throw InputError("--drop \"\(dropText)\" is not a drop like 2026-27/autumn") }
        let config = try TrustConfig(directory: settings.configDirectory)
        let db = try Database(path: settings.databasePath)
        defer { db.close() }
        let result = try BoardReports(config: config, outputDirectory: URL(fileURLWithPath: settings.varDirectory)
            .appendingPathComponent("reports")).generate(drop, db: db, now: settings.clock(),
                                                         out: args.option("out").map { URL(fileURLWithPath: $0) })
        if args.flag("json") { print(result.json) } else { print("board report for \(drop): \(result.htmlPath)") }
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
