import Foundation
import Store

/// Deletes personal data past its retention date (`trustctl purge --before DATE`): pupil rows
/// of old drops, survey responses, and who was emailed. What remains is what the Board and the
/// archive need and identifies no one: aggregates, reports, issue archives.
public enum Retention {
    /// (table, condition on `?` = the cut-off instant). Tables that do not exist yet (a worker
    /// that never ran) are skipped.
    static let rules: [(table: String, condition: String)] = [
        ("drop_pupils", """
            (academy, drop_id) IN (SELECT academy, drop_id FROM drop_attempts GROUP BY academy, drop_id
                                   HAVING max(received_at) < ?)
            """),
        ("drop_attempts", "received_at < ?"),
        ("drop_notice_deliveries", "updated_at < ? AND status <> 'pending'"),
        ("reminder_deliveries", "updated_at < ? AND status <> 'pending'"),
        // Answers go with their response (ON DELETE CASCADE).
        ("survey_responses", "imported_at < ?"),
        ("newsletter_deliveries", "updated_at < ? AND status <> 'pending'"),
        ("newsletter_notices", "updated_at < ? AND status <> 'pending'"),
        ("worker_errors", "at < ?"),
        // The ledger keeps milliseconds; the cut-off is an ISO date or instant.
        ("message_ledger", "at_ms < (julianday(?) - 2440587.5) * 86400000"),
    ]

    /// Deletes in one transaction; returns rows deleted per table.
    public static func purge(_ db: Database, before cutoff: String) throws -> [(table: String, rows: Int)] {
        try db.transaction {
            try rules.compactMap { rule in
                guard try db.tableExists(rule.table) else { return nil }
                return (rule.table, try db.execute("DELETE FROM \(rule.table) WHERE \(rule.condition)", [.text(cutoff)]))
            }
        }
    }
}
