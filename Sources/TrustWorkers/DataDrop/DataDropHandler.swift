import Foundation
import Store
import TrustDomain
import WorkerKit

/// Handles `datadrop.ingest`: one academy's file for one drop, validated all-or-nothing.
///
/// - A file that fails validation stores no pupil data; the attempt and its error list are
///   recorded (UPNs masked) and announced as `datadrop.rejected.<academy>`, and the message
///   is acked: the academy must send a corrected file, replaying this one would not help.
/// - A submission that cannot be placed (unknown academy, bad drop, an academy user sending
///   for another academy) is dead-lettered: those are fixed in config or by the operator, and
///   the message can then be replayed.
/// - An accepted file replaces the academy's earlier file for that drop in the same
///   transaction, so readers see the old data or the new, never a mixture.
public final class DataDropHandler: MessageHandler {
    let config: TrustConfig
    let pseudonymiser: Pseudonymiser
    let reports: BoardReports

    public init(settings: Settings) throws {
        config = try TrustConfig(directory: settings.configDirectory)
        pseudonymiser = try Pseudonymiser.loadOrCreate(keyFile: settings.pseudonymKeyFile)
        reports = BoardReports(config: config, outputDirectory: URL(fileURLWithPath: settings.varDirectory)
            .appendingPathComponent("reports"))
    }

    public var migrations: [Migration] { TrustSchema.all }

    public func handle(_ message: InboundMessage, context: HandlerContext) throws {
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
        let receivedAt = ISO8601Text.string(context.now)
        let submitter = message.delivery.properties.userID
        do {
            let pupils = try DataDropFile.validate(message.body)
            try store(pupils, for: routed, message: message, submitter: submitter, at: receivedAt, in: context.db)
            try context.emit(routingKey: "datadrop.ingested.\(routed.academy)", type: "datadrop.ingested",
                             json: try JSONEvent.encode(IngestedEvent(academy: routed.academy.rawValue,
                                                                     drop: routed.drop.description,
                                                                     pupils: pupils.count, messageID: message.messageID)),
                             messageID: "datadrop.ingested:\(message.messageID)")
            context.log.info("drop accepted", ["academy": routed.academy, "drop": routed.drop, "pupils": pupils.count])
            try reports.publishIfComplete(routed.drop, db: context.db, now: context.now, log: context.log)
        } catch let rejection as DropRejection {
            let errors = rejection.errors.map(Self.maskingUPN)
            try recordRejection(errors, total: rejection.totalCount, for: routed, message: message,
                                submitter: submitter, at: receivedAt, in: context.db)
            try context.emit(routingKey: "datadrop.rejected.\(routed.academy)", type: "datadrop.rejected",
                             json: try JSONEvent.encode(RejectedEvent(
                                academy: routed.academy.rawValue, drop: routed.drop.description,
                                messageID: message.messageID, errorCount: rejection.totalCount,
                                errors: errors.map(\.description))),
                             messageID: "datadrop.rejected:\(message.messageID)")
            context.log.warn("drop rejected", ["academy": routed.academy, "drop": routed.drop,
                                               "errors": rejection.totalCount])
        }
    }

    private func store(_ pupils: [PupilRecord], for drop: RoutedDrop, message: InboundMessage,
                       submitter: String?, at receivedAt: String, in db: Database) throws {
        let academy = SQLValue.text(drop.academy.rawValue), dropID = SQLValue.text(drop.drop.description)
        try db.execute("DELETE FROM drop_pupils WHERE academy = ? AND drop_id = ?", [academy, dropID])
        let insert = try db.prepare("""
            INSERT INTO drop_pupils (academy, drop_id, pupil_key, year, gender, pp, eal, send, reading, writing,
                maths, reading_target, writing_target, maths_target, gld, phonics, mtc)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for p in pupils {
            try insert.bind(Self.row(p, academy: academy, drop: dropID,
                                     key: pseudonymiser.pseudonym(p.upn.rawValue, domain: "upn")))
            try insert.execute()
        }
        try db.execute("""
            INSERT INTO drop_aggregates (academy, drop_id, aggregates_json, demographics_json, computed_at)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (academy, drop_id) DO UPDATE SET aggregates_json = excluded.aggregates_json,
                demographics_json = excluded.demographics_json, computed_at = excluded.computed_at
            """, [academy, dropID, .text(try JSONEvent.string(DropAggregates(pupils))),
                  .text(try JSONEvent.string(DropDemographics(pupils))), .text(receivedAt)])
        try db.execute("""
            INSERT INTO drop_submissions (academy, drop_id, status, received_at, accepted_at, pupils, error_count)
            VALUES (?, ?, 'accepted', ?, ?, ?, 0)
            ON CONFLICT (academy, drop_id) DO UPDATE SET status = 'accepted', received_at = excluded.received_at,
                accepted_at = excluded.accepted_at, pupils = excluded.pupils, error_count = 0
            """, [academy, dropID, .text(receivedAt), .text(receivedAt), .int(pupils.count)])
        try recordAttempt(status: "accepted", pupils: pupils.count, errors: [], total: 0, for: drop,
                          message: message, submitter: submitter, at: receivedAt, in: db)
    }

    private func recordRejection(_ errors: [DropValidationError], total: Int, for drop: RoutedDrop,
                                 message: InboundMessage, submitter: String?, at receivedAt: String,
                                 in db: Database) throws {
        // The stored data, if any, stays as it was; only the latest attempt's state changes.
        try db.execute("""
            INSERT INTO drop_submissions (academy, drop_id, status, received_at, error_count)
            VALUES (?, ?, 'rejected', ?, ?)
            ON CONFLICT (academy, drop_id) DO UPDATE SET status = 'rejected', received_at = excluded.received_at,
                error_count = excluded.error_count
            """, [.text(drop.academy.rawValue), .text(drop.drop.description), .text(receivedAt), .int(total)])
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

    private static func row(_ p: PupilRecord, academy: SQLValue, drop: SQLValue, key: String) -> [SQLValue] {
        func judgement(_ j: Judgement?) -> SQLValue { j.map { .text($0.rawValue) } ?? .null }
        func flag(_ b: Bool?) -> SQLValue { b.map { .bool($0) } ?? .null }
        return [academy, drop, .text(key), .text(p.year.rawValue), p.gender.map { .text($0.rawValue) } ?? .null,
                .bool(p.pupilPremium), .bool(p.eal), .text(p.send.rawValue),
                judgement(p.attainment?.reading), judgement(p.attainment?.writing), judgement(p.attainment?.maths),
                judgement(p.targets?.reading), judgement(p.targets?.writing), judgement(p.targets?.maths),
                flag(p.goodLevelOfDevelopment), p.phonics.map { .int($0) } ?? .null,
                p.multiplicationCheck.map { .int($0) } ?? .null]
    }

    /// Error lists travel in events and sit in the database; a UPN is personal data, so only
    /// enough of it to find the row (with the line number) is kept.
    static func maskingUPN(_ e: DropValidationError) -> DropValidationError {
        guard e.column == "upn", let value = e.value, value.count > 5 else { return e }
        return DropValidationError(line: e.line, column: e.column,
                                   value: String(value.prefix(2)) + String(repeating: "•", count: value.count - 4)
                                       + String(value.suffix(2)),
                                   reason: e.reason)
    }
}

struct IngestedEvent: Codable {
    var academy: String
    var drop: String
    var pupils: Int
    var messageID: String
    enum CodingKeys: String, CodingKey { case academy, drop, pupils, messageID = "message_id" }
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

/// Timestamps as stored: UTC, ISO-8601, milliseconds.
public enum ISO8601Text {
    public static func string(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }
}
