import Foundation
import Store
import TrustDomain

/// One academy's line in `trustctl drop status`: what the data manager chases on deadline day.
public struct DropStatus: Codable, Sendable {
    public var academy: String
    public var name: String
    public var drop: String
    /// `accepted`, `rejected` (latest file refused; earlier accepted data may still stand) or
    /// `not submitted`.
    public var status: String
    public var receivedAt: String?
    public var acceptedAt: String?
    public var pupils: Int?
    public var errorCount: Int
    /// The latest rejected file's first errors, so the fix can start from this screen.
    public var errors: [String]

    enum CodingKeys: String, CodingKey {
        case academy, name, drop, status, pupils, errors
        case receivedAt = "received_at", acceptedAt = "accepted_at", errorCount = "error_count"
    }

    /// Every academy of the catalog for `drop` (default: the latest drop anyone submitted).
    public static func load(db: Database, drop: DropID?, academies: AcademyCatalog) throws -> [DropStatus] {
        let drops = try !db.tableExists("drop_submissions") ? [] : try db.query("SELECT DISTINCT drop_id FROM drop_submissions")
            .compactMap { $0.string(0).flatMap(DropID.init) }
        guard let target = drop ?? drops.max() else { return [] }
        var byAcademy: [String: Row] = [:]
        for row in try db.query("SELECT * FROM drop_submissions WHERE drop_id = ?", [.text(target.description)]) {
            byAcademy[row.string("academy") ?? ""] = row
        }
        return try academies.academies.map { academy in
            let row = byAcademy[academy.id.rawValue]
            var errors: [String] = []
            if row?.string("status") == "rejected",
               let json = try db.scalar("""
                   SELECT errors_json FROM drop_attempts WHERE academy = ? AND drop_id = ? AND status = 'rejected'
                   ORDER BY id DESC LIMIT 1
                   """, [.text(academy.id.rawValue), .text(target.description)])?.stringValue {
                errors = try JSONDecoder().decode([DropValidationError].self, from: Data(json.utf8)).map(\.description)
            }
            return DropStatus(academy: academy.id.rawValue, name: academy.name, drop: target.description,
                              status: row?.string("status") ?? "not submitted", receivedAt: row?.string("received_at"),
                              acceptedAt: row?.string("accepted_at"), pupils: row?.int("pupils"),
                              errorCount: row?.int("error_count") ?? 0, errors: errors)
        }
    }

    /// For the data manager's spreadsheet; error texts quote what academies sent, so every
    /// cell is written formula-safe.
    public static func csv(_ rows: [DropStatus]) -> String {
        CSVText.line(["academy", "name", "drop", "status", "received_at", "accepted_at", "pupils", "error_count", "first_error"])
            + rows.map { r in
                CSVText.line([r.academy, r.name, r.drop, r.status, r.receivedAt ?? "", r.acceptedAt ?? "",
                              r.pupils.map(String.init) ?? "", String(r.errorCount), r.errors.first ?? ""])
            }.joined()
    }

    public static func table(_ rows: [DropStatus]) -> String {
        guard let drop = rows.first?.drop else { return "no data drops received yet" }
        let accepted = rows.filter { $0.acceptedAt != nil }.count
        var lines = ["drop \(drop): \(accepted) of \(rows.count) academies have accepted data", ""]
        lines.append("academy".padding(toLength: 16, withPad: " ", startingAt: 0) + "status".padding(toLength: 15, withPad: " ", startingAt: 0)
                     + "pupils".padding(toLength: 8, withPad: " ", startingAt: 0) + "received")
        for r in rows {
            lines.append(r.academy.padding(toLength: 16, withPad: " ", startingAt: 0)
                         + r.status.padding(toLength: 15, withPad: " ", startingAt: 0)
                         + (r.pupils.map(String.init) ?? "-").padding(toLength: 8, withPad: " ", startingAt: 0)
                         + (r.receivedAt ?? "-"))
            for e in r.errors.prefix(5) { lines.append("    \(e)") }
            if r.errorCount > min(5, r.errors.count) { lines.append("    … \(r.errorCount - min(5, r.errors.count)) more errors") }
        }
        return lines.joined(separator: "\n")
    }
}
