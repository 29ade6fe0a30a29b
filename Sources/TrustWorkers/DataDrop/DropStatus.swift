import Foundation
import Store
import TrustDomain

/// One academy's line in `trustctl drop status`: what the data manager chases on deadline day.
public struct DropStatus: Codable, Sendable {
    public var academy: String
    public var name: String
    public var drop: String
    /// `accepted`, `accepted, later file refused`, `refused` or `not submitted`.
    public var status: String
    /// The sentence every output uses, e.g. "accepted 24 November 2021, 09:14 (612 pupils); a
    /// later file on … was refused: 1 error".
    public var summary: String
    /// Pupils in the data in use.
    public var pupils: Int?
    public var acceptedAt: String?
    public var attempts: Int
    public var firstReceivedAt: String?
    public var latestReceivedAt: String?
    public var submittedBy: String?
    public var deadline: String?
    /// Days to the deadline while it is ahead; negative once it has passed with no data.
    public var daysLeft: Int?
    public var errorCount: Int
    /// The latest refused file's errors, so the fix can start from this screen.
    public var errors: [String]

    enum CodingKeys: String, CodingKey {
        case academy, name, drop, status, summary, pupils, attempts, deadline, errors
        case acceptedAt = "accepted_at", firstReceivedAt = "first_received_at"
        case latestReceivedAt = "latest_received_at", submittedBy = "submitted_by"
        case daysLeft = "days_left", errorCount = "error_count"
    }

    /// Every academy of `config` for `drop`. Times are UK local time, as people read them.
    public static func load(db: Database?, drop: ScheduledDrop, academies: AcademyCatalog, today: CalendarDate) throws -> [DropStatus] {
        let state = try db.map { try DropStates.load(drop.id, catalog: academies, in: $0) }
            ?? DropSubmissionState(drop: drop.id, catalog: academies, attempts: [:])
        return try state.academies.map { submission in
            let refusal = submission.refusal
            return DropStatus(
                academy: submission.academy.rawValue, name: academies.academy(submission.academy)?.name ?? submission.academy.rawValue,
                drop: drop.id.description, status: submission.status.rawValue, summary: submission.summary,
                pupils: submission.inUse?.pupils, acceptedAt: submission.inUse.map { UKTime.dateTime($0.receivedAt) },
                attempts: submission.attempts, firstReceivedAt: submission.first.map { UKTime.dateTime($0.receivedAt) },
                latestReceivedAt: submission.latest.map { UKTime.dateTime($0.receivedAt) },
                submittedBy: submission.latest?.submittedBy, deadline: drop.deadline.description,
                daysLeft: submission.hasData ? nil : drop.daysLeft(on: today),
                errorCount: refusal?.errorCount ?? 0,
                errors: refusal == nil ? [] : try db.map { try DropStates.latestErrors(submission.academy, drop.id, in: $0) } ?? [])
        }
    }

    /// For the data manager's spreadsheet; error texts quote what academies sent, so every
    /// cell is written formula-safe.
    public static func csv(_ rows: [DropStatus]) -> String {
        CSVText.line(["academy", "name", "drop", "status", "summary", "pupils", "accepted_at", "attempts",
                      "first_received_at", "latest_received_at", "submitted_by", "deadline", "days_left",
                      "error_count", "first_error"])
            + rows.map { r in
                CSVText.line([r.academy, r.name, r.drop, r.status, r.summary, r.pupils.map(String.init) ?? "",
                              r.acceptedAt ?? "", String(r.attempts), r.firstReceivedAt ?? "", r.latestReceivedAt ?? "",
                              r.submittedBy ?? "", r.deadline ?? "", r.daysLeft.map(String.init) ?? "",
                              String(r.errorCount), r.errors.first ?? ""])
            }.joined()
    }

    public static func table(_ rows: [DropStatus], drop: ScheduledDrop, today: CalendarDate) -> String {
        let withData = rows.filter { $0.pupils != nil }
        let left = drop.daysLeft(on: today)
        let due = left > 1 ? "\(left) days left" : left == 1 ? "due tomorrow" : left == 0 ? "due today"
            : "\(-left) \(left == -1 ? "day" : "days") past the deadline"
        var lines = [
            "drop \(drop.id): deadline \(drop.deadline.longDescription) (\(due)); Board meeting \(drop.boardMeeting.longDescription)",
            "\(withData.count) of \(rows.count) academies have data in use, \(withData.compactMap(\.pupils).reduce(0, +)) pupils",
            "",
        ]
        func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: n, withPad: " ", startingAt: 0) }
        lines.append(pad("academy", 36) + pad("status", 30) + pad("pupils", 8) + pad("files", 7) + pad("first", 19) + "latest")
        for r in rows {
            var status = r.status
            if let days = r.daysLeft, days < 0 { status += " (\(-days) \(days == -1 ? "day" : "days") late)" }
            lines.append(pad(r.name, 36) + pad(status, 30) + pad(r.pupils.map(String.init) ?? "-", 8)
                + pad(String(r.attempts), 7) + pad(r.firstReceivedAt ?? "-", 19) + (r.latestReceivedAt ?? "-"))
            if r.status != "accepted" && r.status != "not submitted" { lines.append("    \(r.summary)") }
            for e in r.errors.prefix(5) { lines.append("    \(e)") }
            if r.errorCount > min(5, r.errors.count) { lines.append("    … \(r.errorCount - min(5, r.errors.count)) more errors") }
        }
        return lines.joined(separator: "\n")
    }
}

/// `2021-11-24 09:14`, UK local time: how the status table and its exports show times.
enum UKTime {
    static let zone = TimeZone(identifier: "Europe/London")!

    static func dateTime(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ n: Int?) -> String { n.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute))"
    }
}
