import Foundation
import Store
import TrustDomain
import WorkerKit

/// Handles `datadrop.ingest`: one academy's file for one drop, validated all-or-nothing, and
/// the drop calendar's events.
///
/// - A file that fails validation stores no pupil data; the attempt and its error list are
///   recorded (UPNs masked) and announced as `datadrop.rejected.<academy>`, the academy's data
///   leads are sent the errors, and the message is acked: the academy must send a corrected
///   file, replaying this one would not help.
/// - A submission that cannot be placed (unknown academy, a drop not in `drops.json`, an
///   academy user sending for another academy) is dead-lettered: those are fixed in config or
///   by the operator, and the message can then be replayed.
/// - An accepted file replaces the academy's earlier file for that drop in the same
///   transaction, so readers see the old data or the new, never a mixture; its data leads get
///   a receipt.
/// - `datadrop.calendar` messages from the Scheduler (a drop's reminder day, and the day after
///   its deadline) remind or chase academies without accepted data, send the data manager a
///   summary, and send the Board report if it has not gone already. Every e-mail is a notice
///   recorded in the message's transaction, sent by the worker's delivery engine after commit.
public final class DataDropHandler: MessageHandler {
    let config: TrustConfig
    let pseudonymiser: Pseudonymiser
    let reports: BoardReports
    let notices: DropNoticeStore

    public init(settings: Settings) throws {
        config = try TrustConfig(directory: settings.configDirectory)
        pseudonymiser = try Pseudonymiser.loadOrCreate(keyFile: settings.pseudonymKeyFile)
        reports = BoardReports(config: config, outputDirectory: URL(fileURLWithPath: settings.varDirectory)
            .appendingPathComponent("reports"))
        notices = DropNoticeStore(config: config)
    }

    public var migrations: [Migration] { TrustSchema.all }

    /// Validation, pseudonymising and aggregation need only the file and the key, so the
    /// runtime runs them on a helper thread while this thread inserts the previous file.
    public var prepare: (@Sendable (InboundMessage) -> any Sendable)? {
        let pseudonymiser = self.pseudonymiser
        return { message in PreparedDrop(message, pseudonymiser: pseudonymiser) }
    }

    public func handle(_ message: InboundMessage, context: HandlerContext) throws {
        if message.type == DropCalendarIntake.type { return try handleCalendar(message, context: context) }
        let routed: RoutedDrop
        do {
            routed = try DropSubmission.route(
                routingKeyAcademy: DropSubmission.academy(fromRoutingKey: message.routingKey),
                headerAcademy: message.headers["x-academy"]?.stringValue,
                userID: message.delivery.properties.userID,
                knownAcademies: config.academyIDs,
                dropHeader: message.headers["x-drop"]?.stringValue)
        } catch {
            throw HandlerError.permanent(error.problems.map(\.description).joined(separator: "; "))
        }
        let scheduled: ScheduledDrop
        do {
            scheduled = try config.drops.resolve(routed.drop.description)
        } catch {
            throw HandlerError.permanent(error.description)
        }
        guard let academy = config.academies.academy(routed.academy) else {
            throw HandlerError.permanent("unknown academy \(routed.academy)")
        }
        let receivedAt = Timestamp.string(context.now)
        let submitter = message.delivery.properties.userID
        let directory = try loadDirectory()
        do {
            let prepared = message.prepared as? PreparedDrop ?? PreparedDrop(message, pseudonymiser: pseudonymiser)
            let file = try prepared.file.get()
            let pupils = file.pupils
            try store(file, for: routed, message: message, submitter: submitter, at: receivedAt, in: context.db)
            try context.emit(routingKey: "datadrop.ingested.\(routed.academy)", type: "datadrop.ingested",
                             json: try JSONEvent.encode(IngestedEvent(academy: routed.academy.rawValue,
                                                                     drop: routed.drop.description,
                                                                     pupils: pupils.count, messageID: message.messageID,
                                                                     format: file.format.code)),
                             messageID: "datadrop.ingested:\(message.messageID)")
            try notices.record(DropNotices.receipt(academy: academy, drop: scheduled,
                                                   contents: DropFileContents(pupils: pupils, droppedNameColumns: file.droppedNameColumns,
                                                                              format: file.format),
                                                   receivedAt: context.now, submittedBy: submitter, messageID: message.messageID),
                               to: notices.academyContacts(routed.academy, in: directory), at: context.now,
                               in: context.db, log: context.log)
            context.log.info("drop accepted", ["academy": routed.academy, "drop": routed.drop, "pupils": pupils.count,
                                               "format": file.format.code])
            let state = try DropStates.load(routed.drop, catalog: config.academies, in: context.db)
            if state.isComplete {
                try reports.generate(routed.drop, db: context.db, now: context.now)
                try sendBoardReport(scheduled, state: state, directory: directory, context: context)
            }
        } catch let rejection as DropRejection {
            let errors = DropFileCheck.masked(rejection).errors
            try recordRejection(errors, total: rejection.totalCount, for: routed, message: message,
                                submitter: submitter, at: receivedAt, in: context.db)
            try context.emit(routingKey: "datadrop.rejected.\(routed.academy)", type: "datadrop.rejected",
                             json: try JSONEvent.encode(RejectedEvent(
                                academy: routed.academy.rawValue, drop: routed.drop.description,
                                messageID: message.messageID, errorCount: rejection.totalCount,
                                errors: errors.map(\.description))),
                             messageID: "datadrop.rejected:\(message.messageID)")
            let state = try DropStates.load(routed.drop, catalog: config.academies, in: context.db)
            try notices.record(DropNotices.refusal(academy: academy, drop: scheduled,
                                                   rejection: DropRejection(errors: errors, totalCount: rejection.totalCount),
                                                   receivedAt: context.now, submittedBy: submitter,
                                                   state: state[routed.academy]!, messageID: message.messageID),
                               to: notices.academyContacts(routed.academy, in: directory), at: context.now,
                               in: context.db, log: context.log)
            context.log.warn("drop rejected", ["academy": routed.academy, "drop": routed.drop,
                                               "errors": rejection.totalCount])
        }
    }

    /// A drop's reminder day or the day after its deadline, as the Scheduler publishes them.
    private func handleCalendar(_ message: InboundMessage, context: HandlerContext) throws {
        if let user = message.delivery.properties.userID, config.academyIDs.contains(AcademyID(user)) {
            throw HandlerError.permanent("the academy user \"\(user)\" may not send drop calendar events")
        }
        let tick: DropCalendarIntake.Tick
        let scheduled: ScheduledDrop
        do {
            tick = try JSONDecoder().decode(DropCalendarIntake.Tick.self, from: Data(message.body))
            scheduled = try config.drops.resolve(tick.drop)
        } catch let error as UnknownDrop {
            throw HandlerError.permanent(error.description)
        } catch {
            throw HandlerError.permanent("a datadrop.calendar body must be {\"drop\": …, \"event\": \"reminder\" or \"deadline\"}: \(error)")
        }
        let state = try DropStates.load(scheduled.id, catalog: config.academies, in: context.db)
        let directory = try loadDirectory()
        let today = CalendarDate(context.now, in: config.drops.timeZone)
        let missing = state.academies.filter { !$0.hasData }
        for submission in missing {
            guard let academy = config.academies.academy(submission.academy) else { continue }
            let notice = tick.event == .reminder
                ? DropNotices.reminder(academy: academy, drop: scheduled, state: submission, today: today)
                : DropNotices.chaser(academy: academy, drop: scheduled, state: submission, today: today)
            try notices.record(notice, to: notices.academyContacts(academy.id, in: directory), at: context.now,
                               in: context.db, log: context.log)
        }
        if tick.event == .deadline {
            try notices.record(DropNotices.summary(drop: scheduled, state: state, catalog: config.academies,
                                                   chased: missing.map(\.academy), today: today),
                               to: notices.trustAudience(config.drops.mail.summaryRoles, in: directory),
                               at: context.now, in: context.db, log: context.log)
            try sendBoardReport(scheduled, state: state, directory: directory, context: context)
        }
        context.log.info("drop calendar", ["drop": scheduled.id, "event": tick.event.rawValue,
                                           "academies_without_data": missing.count])
    }

    /// The Board report goes out once per drop, whichever comes first: the last academy's file
    /// accepted, or the deadline passing (with who did not submit). Later files still update
    /// the stored report; nobody is mailed it twice.
    private func sendBoardReport(_ drop: ScheduledDrop, state: DropSubmissionState, directory: Directory,
                                 context: HandlerContext) throws {
        let id = DropNotices.boardReport(drop: drop, state: state, catalog: config.academies, generatedAt: context.now).id
        guard try context.db.scalar("SELECT count(*) FROM drop_notices WHERE id = ?", [.text(id)])?.int64Value == 0 else { return }
        let result = try reports.generate(drop.id, db: context.db, now: context.now)
        let html = Array(try Data(contentsOf: URL(fileURLWithPath: result.htmlPath)))
        try notices.record(DropNotices.boardReport(drop: drop, state: state, catalog: config.academies, generatedAt: context.now),
                           to: notices.trustAudience(config.drops.mail.reportRoles, in: directory),
                           attachment: (URL(fileURLWithPath: result.htmlPath).lastPathComponent, html),
                           at: context.now, in: context.db, log: context.log)
        context.log.info("board report sent", ["drop": drop.id, "academies": state.submitted.count,
                                               "not_submitted": state.notSubmitted.count])
    }

    /// The directory is read per message, so a new data lead is reached without a restart;
    /// an unreadable one is a transient failure (retried), never a reason to lose a receipt.
    private func loadDirectory() throws -> Directory {
        do {
            return try config.loadDirectory()
        } catch {
            throw HandlerError.transient("cannot read the directory: \(error)")
        }
    }

    private func store(_ file: ValidatedDrop, for drop: RoutedDrop, message: InboundMessage,
                       submitter: String?, at receivedAt: String, in db: Database) throws {
        let academy = SQLValue.text(drop.academy.rawValue), dropID = SQLValue.text(drop.drop.description)
        try db.execute("DELETE FROM drop_pupils WHERE academy = ? AND drop_id = ?", [academy, dropID])
        // Rows go in `rowsPerInsert` at a time: one statement run per chunk instead of per
        // pupil (each run has a fixed cost: reset, step, halt), then single rows for the rest.
        let chunk = try db.prepare(Self.insertSQL(rows: Self.rowsPerInsert))
        let single = try db.prepare(Self.insertSQL(rows: 1))
        for statement in [chunk, single] {
            try statement.bind(academy, at: 1)
            try statement.bind(dropID, at: 2)
        }
        var next = 0
        while next < file.pupils.count {
            let rows = file.pupils.count - next >= Self.rowsPerInsert ? Self.rowsPerInsert : 1
            let insert = rows == 1 ? single : chunk
            for row in 0..<rows {
                let index = next + row, first = Int32(3 + row * Self.valuesPerRow)
                try insert.bind(utf8: file.keys, range: index * ValidatedDrop.keyLength..<(index + 1) * ValidatedDrop.keyLength,
                                at: first)
                try Self.bind(file.pupils[index], to: insert, from: first + 1)
            }
            try insert.execute()
            next += rows
        }
        try db.execute("""
            INSERT INTO drop_aggregates (academy, drop_id, aggregates_json, demographics_json, computed_at)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (academy, drop_id) DO UPDATE SET aggregates_json = excluded.aggregates_json,
                demographics_json = excluded.demographics_json, computed_at = excluded.computed_at
            """, [academy, dropID, .text(file.aggregatesJSON), .text(file.demographicsJSON), .text(receivedAt)])
        reports.decoded.remember(file.aggregates, as: file.aggregatesJSON)
        try recordAttempt(status: "accepted", pupils: file.pupils.count, errors: [], total: 0, for: drop,
                          message: message, submitter: submitter, at: receivedAt, in: db)
    }

    private func recordRejection(_ errors: [DropValidationError], total: Int, for drop: RoutedDrop,
                                 message: InboundMessage, submitter: String?, at receivedAt: String,
                                 in db: Database) throws {
        // The stored data, if any, stays as it was: only the attempt is recorded.
        try recordAttempt(status: "rejected", pupils: nil, errors: errors, total: total, for: drop,
                          message: message, submitter: submitter, at: receivedAt, in: db)
    }

    private func recordAttempt(status: String, pupils: Int?, errors: [DropValidationError], total: Int,
                               for drop: RoutedDrop, message: InboundMessage, submitter: String?,
                               at receivedAt: String, in db: Database) throws {
        try db.execute("""
            INSERT INTO drop_attempts (academy, drop_id, message_id, submitted_by, status, received_at, pupils,
                error_count, errors_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(drop.academy.rawValue), .text(drop.drop.description), .text(message.messageID),
                  .optional(submitter), .text(status), .text(receivedAt), pupils.map { .int($0) } ?? .null,
                  .int(total), errors.isEmpty ? .null : .text(try JSONEvent.string(errors))])
    }

    /// A letter then at least eleven digits and letters: a UPN, or most of one.
    static func looksLikeUPN(_ value: String) -> Bool {
        let scalars = Array(value.unicodeScalars)
        guard scalars.count >= 12, let first = scalars.first, first.properties.isAlphabetic else { return false }
        return scalars.dropFirst().allSatisfy { $0.isASCII && ($0.properties.numericType != nil || $0.properties.isAlphabetic) }
            && scalars.dropFirst().count { $0.properties.numericType != nil } >= 10
    }

    static let rowsPerInsert = 32
    /// Parameters per pupil row after the shared academy (?1) and drop (?2).
    static let valuesPerRow = 15

    /// `INSERT INTO drop_pupils … VALUES (?1, ?2, ?3, … ?17), (?1, ?2, ?18, … ?32), …`:
    /// numbered parameters let every row share the academy and drop bound once.
    static func insertSQL(rows: Int) -> String {
        let tuples = (0..<rows).map { row in
            let first = 3 + row * valuesPerRow
            return "(?1, ?2, " + (first..<first + valuesPerRow).map { "?\($0)" }.joined(separator: ", ") + ")"
        }
        return """
            INSERT INTO drop_pupils (academy, drop_id, pupil_key, year, gender, pp, eal, send, reading, writing,
                maths, reading_target, writing_target, maths_target, gld, phonics, mtc)
            VALUES \(tuples.joined(separator: ", "))
            """
    }

    /// Binds one pupil's columns after its key, from parameter `first` (year) on. Codes go in
    /// as literals: SQLite then neither copies nor frees them.
    private static func bind(_ p: PupilRecord, to insert: Statement, from first: Int32) throws {
        func judgement(_ code: StaticString?, at index: Int32) throws {
            guard let code else { return try insert.bindNull(at: first + index) }
            try insert.bind(literal: code, at: first + index)
        }
        func optional(_ value: Int?, at index: Int32) throws {
            if let value { try insert.bind(value, at: first + index) } else { try insert.bindNull(at: first + index) }
        }
        /// A score as an integer; a no-result code as its letter (SQLite keeps the text).
        func check(_ result: CheckResult?, at index: Int32) throws {
            if let reason = result?.noResult { return try insert.bind(literal: reason.code, at: first + index) }
            try optional(result?.score, at: index)
        }
        try insert.bind(literal: p.year.code, at: first)
        if let gender = p.gender { try insert.bind(literal: gender.code, at: first + 1) } else { try insert.bindNull(at: first + 1) }
        try insert.bind(p.pupilPremium ? 1 : 0, at: first + 2)
        try insert.bind(p.eal ? 1 : 0, at: first + 3)
        try insert.bind(literal: p.send.code, at: first + 4)
        try judgement(p.attainment?.reading.code, at: 5)
        try judgement(p.attainment?.writing.code, at: 6)
        try judgement(p.attainment?.maths.code, at: 7)
        try judgement(p.targets?.reading.code, at: 8)
        try judgement(p.targets?.writing.code, at: 9)
        try judgement(p.targets?.maths.code, at: 10)
        try optional(p.goodLevelOfDevelopment.map { $0 ? 1 : 0 }, at: 11)
        try check(p.phonics, at: 12)
        try check(p.multiplicationCheck, at: 13)
    }

    /// Error lists travel in events and sit in the database; a UPN is personal data, so only
    /// enough of it to find the row (with the line number) is kept.
    /// Any column's value is checked, not only `upn`'s: a shifted row puts a UPN elsewhere.
    static func maskingUPN(_ e: DropValidationError) -> DropValidationError {
        guard let value = e.value, value.count > 5, e.column == "upn" || Self.looksLikeUPN(value) else { return e }
        return DropValidationError(line: e.line, cell: e.cell, column: e.column,
                                   value: String(value.prefix(2)) + String(repeating: "•", count: value.count - 4)
                                       + String(value.suffix(2)),
                                   reason: e.reason)
    }
}

/// What a file becomes before anything is written: its pupils in the order they will be
/// inserted, or the reasons it is refused.
struct PreparedDrop: Sendable {
    let file: Result<ValidatedDrop, any Error>

    /// The body is a CSV file or a workbook (told apart by its bytes); `x-sheet` names the
    /// workbook's sheet when it is not the first. The term comes from the `x-drop` header (GLD
    /// is required in summer only); a bad header is refused by routing, so here it only falls
    /// back to every term's rules.
    init(_ message: InboundMessage, pseudonymiser: Pseudonymiser) {
        let sheet = message.headers[DropFileHeaders.sheet]?.stringValue
        let term = message.headers["x-drop"]?.stringValue.flatMap(DropID.init)?.term
        file = Result { try ValidatedDrop(message.body, term: term, sheet: sheet, pseudonymiser: pseudonymiser) }
    }
}

/// Message headers of a submitted file.
public enum DropFileHeaders {
    /// The workbook sheet to read, when it is not the first visible one.
    public static let sheet = "x-sheet"
}

/// An accepted file, ready to insert: pupils sorted by pseudonym, so each insert lands beside
/// the last in the table's b-tree (its pages stay cached and fill up, instead of every pupil
/// touching a random page), with their keys as hex in one buffer and the stored documents.
struct ValidatedDrop: Sendable {
    static let keyLength = 64
    let pupils: [PupilRecord]
    /// `keyLength` hex digits per pupil, in `pupils` order.
    let keys: [UInt8]
    let aggregates: DropAggregates
    let aggregatesJSON: String
    let demographicsJSON: String
    let droppedNameColumns: [String]
    let format: TableFormat

    init(_ body: [UInt8], term: Term?, sheet: String?, pseudonymiser: Pseudonymiser) throws {
        let contents = try DataDropFile.read(body, term: term, sheet: sheet)
        let validated = contents.pupils
        droppedNameColumns = contents.droppedNameColumns
        format = contents.format
        let context = pseudonymiser.context(domain: "upn")
        let order = validated.indices.map { (key: context.digest(validated[$0].upn.rawValue), index: $0) }
            .sorted { $0.key < $1.key }
        var keys: [UInt8] = []
        keys.reserveCapacity(order.count * Self.keyLength)
        for (key, _) in order { key.appendHex(to: &keys) }
        pupils = order.map { validated[$0.index] }
        self.keys = keys
        aggregates = DropAggregates(validated)
        aggregatesJSON = try JSONEvent.string(aggregates)
        demographicsJSON = try JSONEvent.string(DropDemographics(validated))
    }
}

struct IngestedEvent: Codable {
    var academy: String
    var drop: String
    var pupils: Int
    var messageID: String
    /// What the file was read as: csv-utf-8, csv-windows-1252 or xlsx.
    var format: String
    enum CodingKeys: String, CodingKey { case academy, drop, pupils, format, messageID = "message_id" }
}

struct RejectedEvent: Codable {
    var academy: String
    var drop: String
    var messageID: String
    var errorCount: Int
    var errors: [String]
    enum CodingKeys: String, CodingKey {
        case academy, drop, errors, messageID = "message_id", errorCount = "error_count"
    }
}

/// JSON for events and stored documents, with sorted keys so output is stable. Key names come
/// from the types' own CodingKeys, never from a conversion strategy: a strategy would also
/// rewrite dictionary keys such as the SEND codes "N", "K", "E".
public enum JSONEvent {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return Array(try e.encode(value))
    }
    public static func string<T: Encodable>(_ value: T) throws -> String { String(decoding: try encode(value), as: UTF8.self) }
    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}

