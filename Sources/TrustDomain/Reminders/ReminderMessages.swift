import Foundation

/// Why a `reminder.due` or `calendar.update` body cannot be acted on, worded for whoever
/// published it: it becomes the dead-letter reason, e.g. `calendar.update: "date" "2021-02-30"
/// is not a real calendar date (expected YYYY-MM-DD)`.
public struct ReminderMessageError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String

    init(_ type: String, _ problem: String) { description = "\(type): \(problem)" }
}

/// `reminder.due`: "remind the audience of this occurrence, `lead_days` before it". The
/// Scheduler publishes it under a deterministic message id, so a republish after a crash is
/// recognised by the worker's ledger instead of mailing everyone again.
public struct ReminderRequest: Sendable, Hashable {
    public static let type = "reminder.due"
    public static let routingKey = "reminder.due"

    public let forumID: String
    public let occurrenceID: String
    public let leadDays: Int

    public init(forumID: String, occurrenceID: String, leadDays: Int) {
        self.forumID = forumID
        self.occurrenceID = occurrenceID
        self.leadDays = leadDays
    }

    /// `reminder.due:<occurrence-id>:<lead>`: one id per occurrence and lead time, whoever
    /// publishes it and however often.
    public var messageID: String { "reminder.due:\(occurrenceID):\(leadDays)" }

    /// `{"forum_id","occurrence","lead_days"}`, keys sorted so the bytes are reproducible.
    public var body: [UInt8] {
        JSONFields.encode(["forum_id": forumID, "occurrence": occurrenceID, "lead_days": leadDays])
    }

    public static func parse(_ body: [UInt8]) throws(ReminderMessageError) -> ReminderRequest {
        let fields = try JSONFields(body, type: type)
        let lead = try fields.integer("lead_days")
        guard (0...60).contains(lead) else {
            throw ReminderMessageError(type, "\"lead_days\" \(lead) is not a number of days from 0 to 60")
        }
        return ReminderRequest(forumID: try fields.string("forum_id"),
                               occurrenceID: try fields.string("occurrence"), leadDays: lead)
    }
}

/// `calendar.update`: an occurrence moved or cancelled after `forums.json` was written. The
/// body is documented in `Config/README.md`:
/// `{"occurrence","action":"move","date","start"?,"end"?,"reason"?}` or
/// `{"occurrence","action":"cancel","reason"?}`.
public struct CalendarUpdate: Sendable, Equatable {
    public static let type = "calendar.update"
    public static let routingKey = "calendar.update"

    public enum Action: Sendable, Equatable {
        /// Times left out keep the occurrence's current ones.
        case move(date: CalendarDate, start: ClockTime?, end: ClockTime?)
        case cancel
    }

    public let occurrenceID: String
    public let action: Action
    /// Shown to the people told of the change.
    public let reason: String?

    public init(occurrenceID: String, action: Action, reason: String? = nil) {
        self.occurrenceID = occurrenceID
        self.action = action
        self.reason = reason
    }

    public var body: [UInt8] {
        var object: [String: Any] = ["occurrence": occurrenceID]
        switch action {
        case .move(let date, let start, let end):
            object["action"] = "move"
            object["date"] = date.description
            if let start { object["start"] = start.description }
            if let end { object["end"] = end.description }
        case .cancel:
            object["action"] = "cancel"
        }
        if let reason { object["reason"] = reason }
        return JSONFields.encode(object)
    }

    public static func parse(_ body: [UInt8]) throws(ReminderMessageError) -> CalendarUpdate {
        let fields = try JSONFields(body, type: type)
        let occurrence = try fields.string("occurrence")
        let reason = try fields.optionalString("reason").flatMap { $0.isEmpty ? nil : $0 }
        switch try fields.string("action") {
        case "move":
            let date = try fields.value("date", CalendarDate.init, CalendarDate.formatProblem)
            let start = try fields.optionalValue("start", ClockTime.init, ClockTime.formatProblem)
            let end = try fields.optionalValue("end", ClockTime.init, ClockTime.formatProblem)
            return CalendarUpdate(occurrenceID: occurrence, action: .move(date: date, start: start, end: end),
                                  reason: reason)
        case "cancel":
            return CalendarUpdate(occurrenceID: occurrence, action: .cancel, reason: reason)
        case let other:
            throw ReminderMessageError(type, "\"action\" \"\(other)\" is not one of move, cancel")
        }
    }
}

/// A flat JSON object read field by field, so each problem names the field and the value.
struct JSONFields {
    let object: [String: Any]
    let type: String

    init(_ body: [UInt8], type: String) throws(ReminderMessageError) {
        self.type = type
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(body)),
              let object = parsed as? [String: Any]
        else { throw ReminderMessageError(type, "the body is not a JSON object") }
        self.object = object
    }

    func optionalString(_ key: String) throws(ReminderMessageError) -> String? {
        guard let raw = object[key], !(raw is NSNull) else { return nil }
        guard let text = raw as? String else {
            throw ReminderMessageError(type, "\"\(key)\" \(Self.shown(raw)) should be text in quotes")
        }
        return text
    }

    func string(_ key: String) throws(ReminderMessageError) -> String {
        guard let text = try optionalString(key), !text.isEmpty else {
            throw ReminderMessageError(type, "\"\(key)\" is missing")
        }
        return text
    }

    func integer(_ key: String) throws(ReminderMessageError) -> Int {
        guard let raw = object[key], !(raw is NSNull) else {
            throw ReminderMessageError(type, "\"\(key)\" is missing")
        }
        guard let number = raw as? NSNumber, !Self.isBoolean(raw), let value = Int(exactly: number.doubleValue) else {
            throw ReminderMessageError(type, "\"\(key)\" \(Self.shown(raw)) should be a whole number")
        }
        return value
    }

    func optionalValue<T>(_ key: String, _ make: (String) -> T?, _ problem: String)
        throws(ReminderMessageError) -> T?
    {
        guard let text = try optionalString(key) else { return nil }
        guard let value = make(text) else { throw ReminderMessageError(type, "\"\(key)\" \"\(text)\" \(problem)") }
        return value
    }

    func value<T>(_ key: String, _ make: (String) -> T?, _ problem: String) throws(ReminderMessageError) -> T {
        guard let value = try optionalValue(key, make, problem) else {
            throw ReminderMessageError(type, "\"\(key)\" is missing")
        }
        return value
    }

    /// A value as it was written: text in quotes, so `"7"` and `7` read differently.
    static func shown(_ raw: Any) -> String {
        if let text = raw as? String { return "\"\(text)\"" }
        if isBoolean(raw) { return (raw as? Bool) == true ? "true" : "false" }
        if let number = raw as? NSNumber { return number.stringValue }
        // An object or array is shown as the JSON that was sent, not as Swift prints it.
        if JSONSerialization.isValidJSONObject(raw),
           let data = try? JSONSerialization.data(withJSONObject: raw, options: [.sortedKeys, .withoutEscapingSlashes]) {
            return String(decoding: data, as: UTF8.self)
        }
        return String(describing: raw)
    }

    /// JSON true/false arrive as NSNumbers that also cast to Bool (and so does 1), so the
    /// number's own type code is the reliable test.
    static func isBoolean(_ raw: Any) -> Bool {
        (raw as? NSNumber).map { String(cString: $0.objCType) == "c" } ?? false
    }

    static func encode(_ object: [String: Any]) -> [UInt8] {
        Array(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
    }
}
