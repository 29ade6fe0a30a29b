import Broker
import Foundation
import Store
import TrustDomain
import TrustFixtures
import TrustWorkers
import WorkerKit

enum SurveyCommands {
    static let group = CommandGroup(
        usage: """
              survey submit --survey ID [--sheet NAME] FILE
                                    check a Microsoft Forms export (.xlsx or CSV) against
                                    Config/surveys/ID.json, then send it
              survey report ID [--json | --html] [--full] [--out FILE]
                                    results by academy, question and theme, small groups suppressed
                                    (--full: include comments in the table)
            """,
        commands: ["survey": survey])

    static func survey(_ args: Arguments, _ settings: Settings) throws {
        switch args.positionals.dropFirst().first {
        case "submit": try submit(args, settings)
        case "report": try report(args, settings)
        default: throw InputError("survey needs submit or report; see trustctl help")
        }
    }

    // MARK: submit

    static func submit(_ args: Arguments, _ settings: Settings) throws {
        try args.allowOnly(["survey", "json", "sheet"])
        let (id, body) = try surveyAndFile(args)
        let sheet = args.option("sheet")
        let export = try check(body, surveyID: id, sheet: sheet, settings)
        let connection = try Connection(endpoint: settings.brokers[0], name: "trustctl survey submit")
        defer { connection.close() }
        try settings.topology.declare(on: connection)
        let message = try send(body, surveyID: id, format: export.format, sheet: sheet, on: connection,
                               exchange: settings.topology.intakeExchange)
        let rows = export.responses.count
        if args.flag("json") {
            try printJSON(["survey": id, "responses": rows, "message_id": message.properties.messageID ?? "",
                           "routing_key": message.routingKey, "format": export.format.code])
        } else {
            print("survey \(id): \(rows) responses checked and sent, read as \(export.format) "
                + "(message id \(message.properties.messageID ?? ""))")
        }
    }

    /// Reads and checks the export here first, so the person submitting sees every problem at
    /// once instead of finding the file in the dead-letter queue later.
    static func check(_ body: [UInt8], surveyID: String, sheet: String? = nil, _ settings: Settings) throws -> FormsExport {
        let (survey, academies) = try load(surveyID, settings)
        do {
            return try FormsExport.read(body, survey: survey, academies: academies, sheet: sheet)
        } catch {
            throw InputError(error.description)
        }
    }

    static func send(_ body: [UInt8], surveyID: String, format: TableFormat = .csvUTF8, sheet: String? = nil,
                     on connection: Connection, exchange: String) throws -> OutgoingMessage {
        let message = SurveySubmission.message(surveyID: surveyID, body: body, exchange: exchange, now: Date(),
                                               format: format, sheet: sheet)
        try connection.publishConfirmed([message])
        return message
    }

    // MARK: report

    static func report(_ args: Arguments, _ settings: Settings) throws {
        try args.allowOnly(["json", "html", "full", "out"])
        guard args.positionals.count == 3 else { throw InputError("survey report needs one survey ID") }
        let (survey, academies) = try load(args.positionals[2], settings)
        guard FileManager.default.fileExists(atPath: settings.databasePath) else {
            throw InputError("there is no database at \(settings.databasePath); run trustctl setup and the survey worker first")
        }
        let db = try Database(path: settings.databasePath, readOnly: true)
        defer { db.close() }
        let report = try SurveyStore.report(survey, academies: academies, in: db)
        let output: String
        if args.flag("json") {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            output = String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
        } else if args.flag("html") {
            output = report.html()
        } else {
            output = report.text(comments: args.flag("full"))
        }
        if let path = args.option("out") {
            try write(output, to: path)
        } else {
            print(output, terminator: "")
        }
    }

    // MARK: demo-survey

    static func demoSurvey(_ args: Arguments, _ settings: Settings) throws {
        try args.allowOnly(["out", "survey", "responses", "seed", "first-id"])
        let path = try args.required("out")
        let id = args.option("survey") ?? "colleagues-2022"
        let responses = try args.int("responses", default: 300)
        let firstID = try args.int("first-id", default: 1)
        guard (1...100_000).contains(responses) else { throw InputError("--responses must be from 1 to 100000") }
        guard firstID >= 1 else { throw InputError("--first-id must be 1 or more") }
        let seed = try args.int("seed", default: 2022)
        let (survey, academies) = try load(id, settings)
        let export = SyntheticForms.export(survey: survey, academies: academies, options: .init(
            respondents: responses, seed: UInt64(bitPattern: Int64(seed)), firstID: firstID))
        try write(export.csv, to: path)
        print("wrote \(responses) synthetic responses to survey \(id) (IDs \(firstID)–\(firstID + responses - 1)) to \(path)")
    }

    // MARK: helpers

    static func surveyAndFile(_ args: Arguments) throws -> (String, [UInt8]) {
        let id = try args.required("survey")
        guard args.positionals.count == 3 else { throw InputError("give exactly one export FILE") }
        let path = args.positionals[2]
        guard let data = FileManager.default.contents(atPath: path) else { throw InputError("cannot read \(path)") }
        return (id, Array(data))
    }

    /// The survey's definition and the academies, with config mistakes as input errors (exit 1).
    static func load(_ id: String, _ settings: Settings) throws -> (SurveyDefinition, AcademyCatalog) {
        do {
            let academies = try TrustConfig(directory: settings.configDirectory).academies
            return (try SurveyLibrary(configDirectory: settings.configDirectory).definition(id), academies)
        } catch let error as SurveyImportError {
            throw InputError(error.problems.map(\.description).joined(separator: "\n"))
        } catch let error as ConfigError {
            throw InputError(error.description)
        }
    }

    static func write(_ text: String, to path: String) throws {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw InputError("cannot write \(path): \(error.localizedDescription)")
        }
    }

    static func printJSON(_ object: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: data, as: UTF8.self))
    }
}
